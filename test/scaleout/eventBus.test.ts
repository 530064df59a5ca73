/**
 * The PostgreSQL event bus between instances in one process (the three-process tests are in
 * threeInstances.test.ts): delivery, no echo, catching up after the listening connection
 * drops, and events whose transaction commits after a later one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { createPlaza, type Plaza, type PostLikeChange } from '@plaza/core';
import {
  aPost,
  FAST_SCRYPT,
  recordEvents,
  sharedDatabaseUrl,
  signedUpUser,
  sleep,
  waitUntil,
  withDatabase,
} from '@plaza/testkit';

async function sharedUrl(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'plaza-bus-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return sharedDatabaseUrl(dir);
}

/** Instances on one database, with no JWT_SECRET: they must agree on the generated one. */
async function instances(t: ExecutionContext, count: number, url: string): Promise<Plaza[]> {
  const plazas: Plaza[] = [];
  for (let i = 0; i < count; i += 1) {
    const plaza = await createPlaza({ databaseUrl: url, scrypt: FAST_SCRYPT });
    t.teardown(() => plaza.close());
    plazas.push(plaza);
  }
  return plazas;
}

/** Ends the listening connections of the bus on this database and schema. */
const dropListeners = (url: string): Promise<number> =>
  withDatabase(url, async (db) => {
    const schema = new URL(url).searchParams.get('schema') ?? 'public';
    const result = await db.raw<{ rows: unknown[] }>(
      'select pg_terminate_backend(pid) as ended from pg_stat_activity where application_name = ? and datname = current_database()',
      [`plaza-events ${schema}`],
    );
    return result.rows.length;
  });

test('a like through one instance reaches the listeners of the others, once each, the publisher’s own once', async (t) => {
  const url = await sharedUrl(t);
  const [a, b, c] = await instances(t, 3, url);
  if (a === undefined || b === undefined || c === undefined) throw new Error('three instances');
  const author = await signedUpUser(b);
  const fan = await signedUpUser(a);
  const { post_id } = await b.posts.create(author.id, aPost());
  const seen = [a, b, c].map((plaza) => recordEvents(plaza, 'post.liked'));

  await a.likes.like(fan.id, { post_id });
  await waitUntil('every instance heard the like', () => seen.every((r) => r.events.length >= 1));
  await sleep(300);

  const inboxId = seen[0]?.events[0]?.inbox_id ?? 0;
  const expected: PostLikeChange = {
    post_id,
    author_id: author.id,
    by_user_id: fan.id,
    likes: 1,
    // The author's first inbox entry.
    inbox_id: inboxId,
    inbox_after: 0,
  };
  for (const recorded of seen) t.deepEqual(recorded.events, [expected]);
});

test('a token issued by one instance is accepted by another: the generated secret is shared', async (t) => {
  const url = await sharedUrl(t);
  const [a, b] = await instances(t, 2, url);
  if (a === undefined || b === undefined) throw new Error('two instances');
  const user = await signedUpUser(a);
  t.is(await b.auth.verifyToken(user.token), user.id);
  const secrets = await withDatabase(url, (db) => db('plaza_settings').where('key', 'jwt_secret'));
  t.is(secrets.length, 1);
});

test('a revocation through one instance applies at once on another, whatever its cache time', async (t) => {
  const url = await sharedUrl(t);
  const a = await createPlaza({ databaseUrl: url, scrypt: FAST_SCRYPT });
  t.teardown(() => a.close());
  const b = await createPlaza({
    databaseUrl: url,
    scrypt: FAST_SCRYPT,
    tokenVersionCacheMs: 3_600_000,
  });
  t.teardown(() => b.close());
  const user = await signedUpUser(a);
  t.is(await b.auth.verifyToken(user.token), user.id);
  const revoked = recordEvents(b, 'auth.tokens_revoked');
  await a.auth.logoutAll(user.id);
  await waitUntil('b heard the revocation', () => revoked.events.length === 1);
  await t.throwsAsync(b.auth.verifyToken(user.token), { message: /token/i });
});

test('events published while an instance’s listening connection is down arrive after it reconnects, once each', async (t) => {
  const url = await sharedUrl(t);
  const [a, b] = await instances(t, 2, url);
  if (a === undefined || b === undefined) throw new Error('two instances');
  const author = await signedUpUser(b);
  const fans = await Promise.all([1, 2, 3, 4, 5].map(() => signedUpUser(a)));
  const { post_id } = await b.posts.create(author.id, aPost());
  const heard = recordEvents(b, 'post.liked');

  t.is(await dropListeners(url), 2);
  for (const fan of fans) await a.likes.like(fan.id, { post_id });

  await waitUntil('b caught up', () => heard.events.length >= fans.length);
  await sleep(300);
  t.deepEqual(
    heard.events.map((event) => event.by_user_id).sort((x, y) => x - y),
    fans.map((fan) => fan.id).sort((x, y) => x - y),
  );
  // Listening again: a later like arrives by notification as before.
  const late = await signedUpUser(a);
  await a.likes.like(late.id, { post_id });
  await waitUntil('the later like', () => heard.events.length === fans.length + 1);
  t.is(heard.events.at(-1)?.likes, fans.length + 1);
});

test('an event whose transaction commits after a later event’s is still delivered', async (t) => {
  const url = await sharedUrl(t);
  const [a, b] = await instances(t, 2, url);
  if (a === undefined || b === undefined) throw new Error('two instances');
  const author = await signedUpUser(a);
  const heard = recordEvents(b, 'post.created');

  await withDatabase(url, async (db) => {
    const trx = await db.transaction();
    // Takes the next id, but nobody can read the row until the commit below.
    await trx('plaza_events').insert({
      type: 'post.created',
      payload: JSON.stringify({ post_id: 999_001, author_id: author.id }),
      origin: 'a-slow-transaction',
      created_at: Date.now(),
    });
    const { post_id } = await a.posts.create(author.id, aPost());
    await waitUntil('the later event', () => heard.events.length === 1);
    t.is(heard.events[0]?.post_id, post_id);
    await trx.commit();
  });
  // No NOTIFY came with the slow row: the periodic read finds it.
  await waitUntil('the earlier event', () => heard.events.length === 2, 10_000);
  t.is(heard.events[1]?.post_id, 999_001);
});
