import Table from 'cli-table3';
import type { BotReport } from './BotReport.js';

const STOP_REASONS: Record<BotReport['stoppedBecause'], string> = {
  'no-post-without-likes': 'no post with 0 likes was left',
  'every-liker-done': 'every user reached the maximum or had nothing left to like',
};

/**
 * The report as a few tables for a terminal.
 *
 * @example process.stdout.write(reportAsText(report))
 */
export function reportAsText(report: BotReport): string {
  const totals = new Table({ head: ['', ''], style: { head: [], border: [] } });
  totals.push(
    ['server', report.server],
    ['seed', `${report.seed} (repeat with --seed ${report.seed})`],
    ['users', String(report.users)],
    ['posts', String(report.posts)],
    ['likes', String(report.likes)],
    ['posts with 0 likes', String(report.postsWithoutLikes)],
    [
      'likes per user',
      `min ${report.likesPerUser.min}, mean ${report.likesPerUser.mean}, max ${report.likesPerUser.max}; ` +
        `${report.likesPerUser.atMaximum} at the maximum (${report.config.maxLikesPerUser}), ${report.likesPerUser.none} with none`,
    ],
    ['stopped because', STOP_REASONS[report.stoppedBecause]],
  );

  const phases = new Table({
    head: ['phase', 'items', 'seconds', 'per second'],
    style: { head: [], border: [] },
  });
  for (const { phase, items, ms } of report.phases) {
    phases.push([
      phase,
      String(items),
      (ms / 1000).toFixed(2),
      ms > 0 ? Math.round((items * 1000) / ms).toLocaleString('en') : '-',
    ]);
  }
  phases.push(['total', '', (report.totalMs / 1000).toFixed(2), '']);

  const checks = new Table({ head: ['rule', 'held'], style: { head: [], border: [] } });
  for (const check of report.checks) {
    const verdict = check.ok
      ? 'yes'
      : `NO: ${check.violations} violation(s), e.g. ${check.examples.join('; ')}`;
    checks.push([check.rule, verdict]);
  }

  const verdict = report.ok ? 'Every rule held.' : 'Some rules were broken.';
  return `${totals.toString()}\n${phases.toString()}\n${checks.toString()}\n${verdict}\n`;
}
