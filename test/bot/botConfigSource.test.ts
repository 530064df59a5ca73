import test from 'ava';
import type { BotReport } from '@plaza/example-bot';
import { startInProcessTarget } from '../support/apiTarget.js';
import { botConfigFile, numbers, runBotCli } from './botProcess.js';

test('without --config the bot reads the file BOT_CONFIG names, as the original did', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  const config = botConfigFile(numbers(2, 1, 1));

  const run = await runBotCli(['--server', target.baseUrl, '--seed', '4', '--json'], {
    env: { BOT_CONFIG: config },
  });

  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as BotReport;
  t.deepEqual(report.config, { numberOfUsers: 2, maxPostsPerUser: 1, maxLikesPerUser: 1 });
});

test('--config wins over BOT_CONFIG', async (t) => {
  const config = botConfigFile(
    '[numbers]\nnumber_of_users = -1\nmax_posts_per_user = 1\nmax_likes_per_user = 1\n',
  );

  const run = await runBotCli(['--config', config], {
    env: { BOT_CONFIG: '/nonexistent/from-the-environment.ini' },
  });

  t.is(run.code, 2);
  t.regex(run.stderr, /number_of_users must be a whole number >= 0; it is "-1"/);
  t.false(run.stderr.includes('from-the-environment'));
});

test('a BOT_CONFIG file that is missing exits 2 naming it', async (t) => {
  const run = await runBotCli([], { env: { BOT_CONFIG: '/nonexistent/from-the-environment.ini' } });

  t.is(run.code, 2);
  t.regex(run.stderr, /Cannot read the bot config \/nonexistent\/from-the-environment\.ini/);
});
