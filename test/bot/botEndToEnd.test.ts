import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Knex } from 'knex';
import { openDatabase, sharedDatabaseUrl } from '@plaza/testkit';
import type { BotReport } from '@plaza/example-bot';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { botConfigFile, numbers, runBotCli } from './botProcess.js';

interface Served {
  readonly target: InProcessTarget;
  readonly db: Knex;
}

/** A server on a database the test reads too (a file or a schema, not in memory). */
async function serverWithOwnDatabase(t: {
  teardown(fn: () => Promise<void>): void;
}): Promise<Served> {
  const databaseUrl = sharedDatabaseUrl(mkdtempSync(join(tmpdir(), 'plaza-bot-e2e-')));
  const target = await startInProcessTarget({ databaseUrl });
  const db = openDatabase(databaseUrl);
  t.teardown(async () => {
    await db.destroy();
    await target.close();
  });
  return { target, db };
}

async function countOf(query: Knex.QueryBuilder): Promise<number> {
  const row = (await query.count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/** Users of the run, read straight from the database rather than through the bot's own eyes. */
async function databaseFigures(db: Knex, maxLikes: number) {
  const botUsers = db('users').where('username', 'like', 'bot%').select('id');
  const users = await countOf(db('users').where('username', 'like', 'bot%'));
  const posts = await countOf(db('posts').whereIn('author_id', botUsers.clone()));
  const likes = await countOf(db('likes').whereIn('user_id', botUsers.clone()));
  const selfLikes = await countOf(
    db('likes')
      .join('posts', 'posts.id', 'likes.post_id')
      .whereRaw('posts.author_id = likes.user_id'),
  );
  const overMaximum = await db('likes')
    .select('user_id')
    .count({ n: '*' })
    .groupBy('user_id')
    .havingRaw('count(*) > ?', [maxLikes]);
  const postsWithoutLikes = await countOf(
    db('posts')
      .whereIn('author_id', botUsers.clone())
      .whereNotExists(db('likes').whereRaw('likes.post_id = posts.id')),
  );
  // The stop rule: nobody below the maximum may still have a post they are allowed to like.
  const couldStillLike = await db('users as u')
    .where('u.username', 'like', 'bot%')
    .whereRaw('(select count(*) from likes where likes.user_id = u.id) < ?', [maxLikes])
    .whereExists(
      db('posts as p')
        .whereRaw('p.author_id <> u.id')
        .whereRaw(
          'exists (select 1 from posts z where z.author_id = p.author_id and not exists (select 1 from likes lz where lz.post_id = z.id))',
        )
        .whereRaw(
          'not exists (select 1 from likes mine where mine.post_id = p.id and mine.user_id = u.id)',
        ),
    )
    .select('u.id');
  return {
    users,
    posts,
    likes,
    selfLikes,
    overMaximum: overMaximum.length,
    postsWithoutLikes,
    couldStillLike: couldStillLike.length,
  };
}

test('the bot drives a real server and its report matches the database', async (t) => {
  const { target, db } = await serverWithOwnDatabase(t);
  const config = botConfigFile(numbers(14, 4, 3));

  const run = await runBotCli([
    '--server',
    target.baseUrl,
    '--config',
    config,
    '--seed',
    '5',
    '--json',
  ]);

  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as BotReport;
  t.true(report.ok, JSON.stringify(report.checks.filter((check) => !check.ok)));
  t.true(report.checks.every((check) => check.ok));
  const figures = await databaseFigures(db, 3);
  t.is(figures.users, 14);
  t.is(report.users, figures.users);
  t.is(report.posts, figures.posts);
  t.is(report.likes, figures.likes);
  t.is(report.postsWithoutLikes, figures.postsWithoutLikes);
  t.true(figures.likes > 0);
  t.is(figures.selfLikes, 0);
  t.is(figures.overMaximum, 0);
  t.is(figures.couldStillLike, 0);
  t.deepEqual(
    report.phases.map((phase) => phase.phase),
    ['sign-up', 'posts', 'plan', 'likes', 'read back'],
  );
  t.regex(run.stderr, /sign-up: 14\/14/, 'progress as plain lines when stderr is not a terminal');
});

test('the same seed gives the same run', async (t) => {
  const { target } = await serverWithOwnDatabase(t);
  const config = botConfigFile(numbers(12, 5, 4));
  const shape = (report: BotReport) => ({
    posts: report.posts,
    likes: report.likes,
    postsWithoutLikes: report.postsWithoutLikes,
    likesPerUser: report.likesPerUser,
    stoppedBecause: report.stoppedBecause,
  });

  const args = ['--server', target.baseUrl, '--config', config, '--seed', '99', '--json'];
  const first = JSON.parse((await runBotCli(args)).stdout) as BotReport;
  const second = JSON.parse((await runBotCli(args)).stdout) as BotReport;

  t.is(first.seed, 99);
  t.deepEqual(shape(second), shape(first));
});

// The bot's own server is always on a temporary SQLite file, whichever suite runs this.
test('without --server the bot starts its own server and prints a table', async (t) => {
  const config = botConfigFile(numbers(5, 3, 2));

  const run = await runBotCli(['--config', config, '--seed', '1']);

  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /in-process, temporary SQLite, offline providers/);
  t.regex(run.stdout, /│ users\s+│ 5\s+│/);
  t.regex(run.stdout, /Every rule held\./);
  t.false(run.stdout.includes('\u001b['), 'no colour codes when not on a terminal');
});
