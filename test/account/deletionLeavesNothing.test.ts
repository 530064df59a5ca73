import { createHash } from 'node:crypto';
import test from 'ava';
import type { Knex } from 'knex';
import { clientNetwork } from '@plaza/core/host';
import { databaseUrlIn, dialectOf, openDatabase, temporaryDirectory } from '@plaza/testkit';
import { createPost, signUp, uniqueUsername, type SignedUpUser } from '../support/builders.js';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { eventually } from '../support/eventually.js';
import { Api } from '../support/http.js';
import { foreignKeysOf, rowsBelongingTo, rowsOf, tablesOf, type Row } from './databaseWalk.js';

/**
 * "After POST /user/delete, no row of that user remains anywhere": a user who did everything
 * deletes their account, and every table of the database (listed by the database itself) is
 * searched for them, by foreign key, by user-id column, and by the texts that name them.
 */

interface World {
  readonly target: InProcessTarget;
  readonly api: Api;
  readonly db: Knex;
}

async function startWorld(t: Parameters<typeof temporaryDirectory>[0]): Promise<World> {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const target = await startInProcessTarget(
    {
      databaseUrl,
      // Request-rate buckets in the database on SQLite too, so that they are searched.
      rateLimitStore: 'database',
      enrichment: { provider: 'fake' },
    },
    { rateLimits: { limitLoopback: true } },
  );
  const db = openDatabase(databaseUrl);
  t.teardown(async () => {
    await db.destroy();
    await target.close();
  });
  return { target, api: new Api(target.baseUrl), db };
}

const ok = async (answer: Promise<{ status: number; text: string }>, what: string) => {
  const { status, text } = await answer;
  if (status !== 200) throw new Error(`${what}: ${status} ${text}`);
};

/** What the follows area's POST /user/follow does, until it lands. */
async function follow(db: Knex, follower: number, followee: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('follows').insert({
      follower_id: follower,
      followee_id: followee,
      created_at: new Date().toISOString(),
    });
    await trx('users').where('id', follower).increment('following_count', 1);
    await trx('users').where('id', followee).increment('followers_count', 1);
  });
}

async function comment(world: World, user: SignedUpUser, postId: number, text: string) {
  await ok(
    world.api.post('/post/comment', { post_id: postId, text }, { token: user.token }),
    'comment',
  );
}

/** A login (a session and its refresh token) and, with `rotate`, one refresh of it. */
async function session(world: World, user: SignedUpUser, rotate: boolean): Promise<void> {
  const login = await world.api.post('/api-token-auth/', {
    username: user.username,
    password: user.password,
  });
  if (login.status !== 200) throw new Error(`login: ${login.text}`);
  if (!rotate) return;
  const refreshToken = (login.body['data'] as { refresh_token: string }).refresh_token;
  await ok(world.api.post('/api-token-refresh/', { refresh_token: refreshToken }), 'refresh');
}

async function like(world: World, user: SignedUpUser, postId: number): Promise<void> {
  await ok(world.api.post('/post/like', { post_id: postId }, { token: user.token }), 'like');
}

/** Every count kept with its rows, recounted: what a correct database holds. */
async function countsDisagreeing(db: Knex): Promise<string[]> {
  const problems: string[] = [];
  for (const post of await rowsOf(db, 'posts')) {
    const id = post['id'] as number;
    const likes = Number((await db('likes').count('* as n').where('post_id', id))[0]?.['n']);
    const comments = Number((await db('comments').count('* as n').where('post_id', id))[0]?.['n']);
    if (Number(post['likes_count']) !== likes) problems.push(`post ${id} likes_count`);
    if (Number(post['comments_count']) !== comments) problems.push(`post ${id} comments_count`);
  }
  for (const user of await rowsOf(db, 'users')) {
    const id = user['id'] as number;
    const followers = Number(
      (await db('follows').count('* as n').where('followee_id', id))[0]?.['n'],
    );
    const following = Number(
      (await db('follows').count('* as n').where('follower_id', id))[0]?.['n'],
    );
    if (Number(user['followers_count']) !== followers) problems.push(`user ${id} followers_count`);
    if (Number(user['following_count']) !== following) problems.push(`user ${id} following_count`);
  }
  return problems;
}

const USER_COLUMN = /(^|_)(user|author|follower|followee|actor)_id$/;

test('after a user who did everything deletes their account, no table holds a row of theirs', async (t) => {
  const world = await startWorld(t);
  const { api, db } = world;
  const leaving = await signUp(api, { username: uniqueUsername('leaving'), first_name: 'Lea' });
  const ann = await signUp(api, { username: uniqueUsername('stays') });
  const ben = await signUp(api, { username: uniqueUsername('stays') });

  // Posts, likes given and received (one on their own post), comments given and received.
  const leavingPost = await createPost(api, leaving.token, { title: 'Mine', text: 'words' });
  const annPost = await createPost(api, ann.token);
  const benPost = await createPost(api, ben.token);
  await like(world, leaving, annPost);
  await like(world, leaving, benPost);
  await like(world, leaving, leavingPost);
  await like(world, ann, leavingPost);
  await like(world, ben, annPost);
  // A post they liked, deleted by its author: its event lists them among the likers.
  const benGone = await createPost(api, ben.token);
  await like(world, leaving, benGone);
  await ok(api.post('/post/delete', { post_id: benGone }, { token: ben.token }), 'post delete');
  await comment(world, leaving, annPost, 'nice one');
  await comment(world, leaving, annPost, 'really');
  await comment(world, leaving, leavingPost, 'my own');
  await comment(world, ann, leavingPost, 'hello Lea');
  await comment(world, ben, annPost, 'agreed');
  // Follows both ways, and between the others.
  await follow(db, leaving.userId, ann.userId);
  await follow(db, ben.userId, leaving.userId);
  await follow(db, ann.userId, leaving.userId);
  await follow(db, ben.userId, ann.userId);
  // Sessions and refresh tokens.
  await session(world, leaving, true);
  await session(world, leaving, false);
  await session(world, ann, true);
  // An enrichment job (queued at sign-up; the fake provider finishes it, with an event).
  await eventually(
    'the enrichment job done',
    async () =>
      (await db('enrichment_jobs').where({ user_id: leaving.userId, state: 'done' }).first()) as
        object | undefined,
  );
  // Throttle counters and rate buckets: a failed login, and a failed deletion.
  const failedLogin = await api.post('/api-token-auth/', {
    username: leaving.username,
    password: `${leaving.password}-wrong`,
  });
  t.is(failedLogin.body['code'], 'AUT_02');
  const failedDelete = await api.post(
    '/user/delete',
    { password: `${leaving.password}-wrong` },
    { token: leaving.token },
  );
  t.is(failedDelete.body['code'], 'AUT_02');
  t.deepEqual(await countsDisagreeing(db), []);

  // The walk must find something in every table the user wrote to, or it proves nothing.
  const before = await rowsBelongingTo(db, leaving.userId);
  for (const table of [
    'users',
    'posts',
    'likes',
    'comments',
    'follows',
    'user_sessions',
    'refresh_tokens',
    'enrichment_jobs',
  ]) {
    t.true((before.get(table)?.length ?? 0) > 0, `the user has rows in ${table}`);
  }
  const digest = createHash('sha256').update(leaving.username.toLowerCase()).digest('hex');
  const network = clientNetwork('127.0.0.1') ?? '127.0.0.1';
  const pair = createHash('sha256').update(`${digest}/${network}`).digest('hex');
  const throttleKeys = (await rowsOf(db, 'throttle_counters')).map((row) => row['key']);
  t.true(
    throttleKeys.some((key) => String(key).includes(pair)),
    'a pair counter of the name',
  );
  t.true(
    throttleKeys.some((key) => String(key).includes(digest)),
    'a counter of the name',
  );
  const rateKeys = (await rowsOf(db, 'rate_limits')).map((row) => String(row['key']));
  t.true(rateKeys.includes(`write:user:${leaving.userId}`), 'a write bucket of the user');
  t.true(rateKeys.includes(`login:user:${digest}`), 'a login bucket of the name');
  const othersSessions = (await rowsOf(db, 'user_sessions')).filter(
    (row) => Number(row['user_id']) !== leaving.userId,
  ).length;
  const annBefore = (await db('users').where('id', ann.userId).first()) as Row;
  const benBefore = (await db('users').where('id', ben.userId).first()) as Row;

  const deleted = await api.post(
    '/user/delete',
    { password: leaving.password },
    { token: leaving.token },
  );
  t.deepEqual(deleted.body, { code: 'OK' });

  // Every table, as the database lists it now.
  const tables = await tablesOf(db);
  t.true(tables.includes('users') && tables.includes('throttle_counters'));
  const keys = await foreignKeysOf(db, tables);
  t.true(keys.some((key) => key.references === 'users'));
  const gone = new Map([...before].map(([table, rows]) => [table, rows]));
  /** The texts that name the user: their name, email, and the hashes the throttle keys them by. */
  const names = [leaving.username.toLowerCase(), leaving.email.toLowerCase(), digest, pair];
  const found: string[] = [];
  for (const table of tables) {
    const referencing = keys.filter((key) => key.table === table);
    for (const row of await rowsOf(db, table)) {
      const where = `${table} ${JSON.stringify(row)}`;
      if (table === 'users' && Number(row['id']) === leaving.userId)
        found.push(`${where}: the user`);
      for (const key of referencing) {
        const theirs = (gone.get(key.references) ?? []).some(
          (owned) => String(owned[key.referencedColumn]) === String(row[key.column]),
        );
        if (theirs)
          found.push(`${where}: ${key.column} points at a row of theirs in ${key.references}`);
      }
      for (const [column, value] of Object.entries(row)) {
        if (USER_COLUMN.test(column) && Number(value) === leaving.userId) {
          found.push(`${where}: ${column}`);
        }
        if (typeof value !== 'string') continue;
        const lower = value.toLowerCase();
        for (const name of names)
          if (lower.includes(name)) found.push(`${where}: ${column} names them`);
        if (lower.endsWith(`:user:${leaving.userId}`))
          found.push(`${where}: ${column} keyed by them`);
      }
      if (table === 'plaza_events') found.push(...eventProblems(row, leaving.userId));
    }
  }
  t.deepEqual(found, []);

  // The others' counts: Lea followed Ann, Ann followed Lea, Ben followed Lea.
  const annAfter = (await db('users').where('id', ann.userId).first()) as Row;
  const benAfter = (await db('users').where('id', ben.userId).first()) as Row;
  t.is(Number(annAfter['followers_count']), Number(annBefore['followers_count']) - 1);
  t.is(Number(annAfter['following_count']), Number(annBefore['following_count']) - 1);
  t.is(Number(benAfter['following_count']), Number(benBefore['following_count']) - 1);
  t.is(Number(benAfter['followers_count']), Number(benBefore['followers_count']));
  const annPostAfter = (await db('posts').where('id', annPost).first()) as Row;
  t.is(Number(annPostAfter['likes_count']), 1);
  t.is(Number(annPostAfter['comments_count']), 1);
  const benPostAfter = (await db('posts').where('id', benPost).first()) as Row;
  t.is(Number(benPostAfter['likes_count']), 0);
  t.deepEqual(await countsDisagreeing(db), []);
  // What the others wrote elsewhere stays.
  t.is((await rowsOf(db, 'follows')).length, 1);
  t.is((await rowsOf(db, 'user_sessions')).length, othersSessions);
  t.is(dialectOf(db) === 'postgres' || (await rowsOf(db, 'plaza_events')).length === 0, true);
});

/**
 * `plaza_events` (PostgreSQL's event bus) keeps the `user.deleted` announcement, which the
 * other instances need, until it is pruned; no other event may name the user, in a user id
 * field or a list of them (`liker_ids`).
 */
function eventProblems(row: Row, userId: number): string[] {
  if (row['type'] === 'user.deleted') return [];
  const payload = JSON.parse(String(row['payload'])) as Record<string, unknown>;
  return Object.entries(payload)
    .filter(([key]) => /_ids?$/.test(key) && !/^(post|comment|inbox)_ids?$/.test(key))
    .filter(([, value]) => (Array.isArray(value) ? value : [value]).map(Number).includes(userId))
    .map(([key]) => `plaza_events ${String(row['type'])}: ${key} names them`);
}
