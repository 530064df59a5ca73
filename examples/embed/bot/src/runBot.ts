import { randomBytes } from 'node:crypto';
import { likesPerUser, type BotReport, type PhaseTiming } from './BotReport.js';
import type { BotConfig } from './botConfig.js';
import { signUpUsers, type BotUser } from './botUsers.js';
import { sendLikes } from './likePosts.js';
import { planLikes } from './planLikes.js';
import type { ProgressFactory } from './progress.js';
import { seededRandom } from './random.js';
import { readBack } from './readBack.js';
import { verifyRun } from './verifyRun.js';
import { writePosts } from './writePosts.js';

export interface BotRun {
  readonly serverUrl: string;
  /** How the report names the server. */
  readonly serverDescription: string;
  readonly config: BotConfig;
  readonly seed: number;
  readonly concurrency: number;
  readonly progress: ProgressFactory;
}

/**
 * Signs users up, has them write posts and like them by SPEC's rules, reads everything back
 * and checks the rules: only through the client SDK.
 *
 * @example const report = await runBot({ serverUrl, config, seed: 1, concurrency: 8, … })
 */
export async function runBot(run: BotRun): Promise<BotReport> {
  const { config, concurrency, progress } = run;
  const random = seededRandom(run.seed);
  const phases: PhaseTiming[] = [];
  const timed = async <T>(
    phase: PhaseTiming['phase'],
    work: () => Promise<T>,
    items: (result: T) => number,
  ): Promise<T> => {
    const started = performance.now();
    const result = await work();
    phases.push({ phase, ms: Math.round(performance.now() - started), items: items(result) });
    return result;
  };
  const started = performance.now();

  const users = await timed(
    'sign-up',
    () =>
      signUpUsers({
        serverUrl: run.serverUrl,
        count: config.numberOfUsers,
        runTag: randomBytes(4).toString('hex'),
        concurrency,
        progress,
      }),
    (signedUp) => signedUp.length,
  );
  const authors = await timed(
    'posts',
    () => writePosts(users, config.maxPostsPerUser, random, concurrency, progress),
    (written) => written.reduce((sum, author) => sum + author.postIds.length, 0),
  );
  const plan = await timed(
    'plan',
    () => Promise.resolve(planLikes(authors, config.maxLikesPerUser, random)),
    (planned) => planned.likes.length,
  );
  const usersById = new Map<number, BotUser>(users.map((user) => [user.userId, user]));
  await timed(
    'likes',
    () => sendLikes(plan.likes, usersById, concurrency, progress),
    () => plan.likes.length,
  );
  const server = await timed(
    'read back',
    () => readBack(users, concurrency, progress),
    () => users.length,
  );

  const checks = verifyRun(authors, plan.likes, config.maxLikesPerUser, server);
  const likesGiven = new Map<number, number>(users.map((user) => [user.userId, 0]));
  for (const likers of server.likersByPost.values()) {
    for (const userId of likers) likesGiven.set(userId, (likesGiven.get(userId) ?? 0) + 1);
  }
  const postsOnServer = [...server.postsByAuthor.values()].flat();
  return {
    ok: checks.every((check) => check.ok),
    server: run.serverDescription,
    seed: run.seed,
    config,
    users: users.length,
    posts: postsOnServer.length,
    likes: [...likesGiven.values()].reduce((sum, count) => sum + count, 0),
    postsWithoutLikes: postsOnServer.filter((post) => post.likes === 0).length,
    likesPerUser: likesPerUser([...likesGiven.values()], config.maxLikesPerUser),
    stoppedBecause: plan.stoppedBecause,
    phases,
    totalMs: Math.round(performance.now() - started),
    checks,
  };
}
