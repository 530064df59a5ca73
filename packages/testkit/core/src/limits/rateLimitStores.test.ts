import test, { type ExecutionContext } from 'ava';
import type { Knex } from 'knex';
import { createKnex } from '../adapters/db/createKnex.js';
import { migrateToLatest } from '../adapters/db/migrateToLatest.js';
import { parseDatabaseUrl } from '../config.js';
import { silentLogger } from '../logger.js';
import {
  freshDatabaseUrl,
  rejectsWithPlazaError,
  sharedDatabaseUrl,
  temporaryDirectory,
  testDialect,
  testPlaza,
} from '@plaza/testkit';
import { DatabaseRateLimitStore } from './DatabaseRateLimitStore.js';
import { InMemoryRateLimitStore } from './InMemoryRateLimitStore.js';
import type { RateLimitStore } from './RateLimitStore.js';

const START = Date.UTC(2026, 11, 2, 12, 0, 0);

/** A database of the test's own (SQLite or PostgreSQL, as the suite runs), migrated. */
async function ownDatabase(
  t: ExecutionContext,
  databaseUrl = freshDatabaseUrl(),
  busyTimeoutMs = 5000,
): Promise<Knex> {
  const db = createKnex(parseDatabaseUrl(databaseUrl), { busyTimeoutMs, poolSize: 5 });
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  return db;
}

const rowsOf = async (db: Knex): Promise<number> => {
  const [row] = await db('rate_limits').count<Array<{ n: number | string }>>({ n: '*' });
  return Number(row?.n);
};

const stores: ReadonlyArray<{
  readonly name: string;
  readonly open: (t: ExecutionContext) => Promise<RateLimitStore>;
}> = [
  { name: 'in memory', open: () => Promise.resolve(new InMemoryRateLimitStore()) },
  {
    name: `in the database (${testDialect()})`,
    open: async (t) => new DatabaseRateLimitStore(await ownDatabase(t), silentLogger),
  },
];

for (const { name, open } of stores) {
  test(`${name}: a minute’s worth passes at once, then one per refill interval`, async (t) => {
    const store = await open(t);
    const take = (at: number, key = 'a') => store.take(key, 6, START + at);
    for (let i = 0; i < 6; i += 1) t.is(await take(0), 0);
    t.is(await take(0), 10, 'six a minute: the next one in 10 s');
    t.is(await take(4_000), 6);
    t.is(await take(10_000), 0);
    t.is(await take(10_000), 10);
    t.is(await take(10_000, 'b'), 0, 'another key has its own bucket');
  });

  test(`${name}: refused takes count nothing`, async (t) => {
    const store = await open(t);
    t.is(await store.take('a', 2, START), 0);
    t.is(await store.take('a', 2, START), 0);
    for (let i = 0; i < 10; i += 1) t.is(await store.take('a', 2, START + i * 1000), 30 - i);
    t.is(await store.take('a', 2, START + 30_000), 0, 'refill on time, however often refused');
  });

  test(`${name}: a bucket never holds more than a minute’s worth`, async (t) => {
    const store = await open(t);
    await store.take('a', 3, START);
    for (let i = 0; i < 3; i += 1) t.is(await store.take('a', 3, START + 3_600_000), 0);
    t.is(await store.take('a', 3, START + 3_600_000), 20);
  });

  test(`${name}: the retry delay is at least one second`, async (t) => {
    const store = await open(t);
    for (let i = 0; i < 600; i += 1) await store.take('a', 600, START);
    t.is(await store.take('a', 600, START), 1);
  });

  test(`${name}: 0 turns the limit off; a rate that is not a whole number throws`, async (t) => {
    const store = await open(t);
    for (let i = 0; i < 5; i += 1) t.is(await store.take('a', 0, START), 0);
    await t.throwsAsync(async () => store.take('a', 0.5, START), { instanceOf: RangeError });
    await t.throwsAsync(async () => store.take('a', -1, START), { instanceOf: RangeError });
  });

  test(`${name}: concurrent takes are all counted: 50 at once, 20 a minute, 20 admitted`, async (t) => {
    const store = await open(t);
    const waits = await Promise.all(Array.from({ length: 50 }, () => store.take('a', 20, START)));
    t.is(waits.filter((wait) => wait === 0).length, 20);
    t.true(
      waits.every((wait) => wait === 0 || wait === 3),
      waits.join(' '),
    );
  });
}

test('in memory: idle buckets are dropped, and the number of buckets stays under its cap', async (t) => {
  const store = new InMemoryRateLimitStore({ maxBuckets: 100 });
  for (let i = 0; i < 50; i += 1) await store.take(`idle${i}`, 10, START);
  await store.take('busy', 10, START + 30_000);
  t.is(store.size, 51);
  await store.take('busy', 10, START + 60_000);
  t.is(store.size, 1, 'a minute without a request: full again, so forgotten');

  for (let i = 0; i < 1000; i += 1) await store.take(`spray${i}`, 10, START + 60_000);
  t.true(store.size <= 100, String(store.size));
});

test('in the database: two processes on one database share the buckets', async (t) => {
  const url = sharedDatabaseUrl(await temporaryDirectory(t));
  const one = new DatabaseRateLimitStore(await ownDatabase(t, url), silentLogger);
  const other = new DatabaseRateLimitStore(await ownDatabase(t, url), silentLogger);
  const waits = await Promise.all(
    Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? one : other).take('a', 20, START)),
  );
  t.is(waits.filter((wait) => wait === 0).length, 20);
  t.is(await other.take('a', 20, START + 3_000), 0, 'one refill, seen by either');
  t.is(await one.take('a', 20, START + 3_000), 3);
});

test('in the database: a rate that does not divide a minute still lets its whole burst through', async (t) => {
  const store = new DatabaseRateLimitStore(await ownDatabase(t), silentLogger);
  for (let i = 0; i < 7; i += 1) t.is(await store.take('a', 7, START), 0);
  t.is(await store.take('a', 7, START), 9, 'one every 8.57 s, kept as 8572 ms');
  t.is(await store.take('a', 7, START + 8_572), 0);
});

test('in the database: a key too long for the column is kept as its hash', async (t) => {
  const db = await ownDatabase(t);
  const store = new DatabaseRateLimitStore(db, silentLogger);
  const long = `signup:ip:${'x'.repeat(300)}`;
  t.is(await store.take(long, 1, START), 0);
  t.is(await store.take(long, 1, START), 60);
  t.is(await store.take(`${long}y`, 1, START), 0, 'a different long key');
  const keys = await db('rate_limits').pluck('key');
  t.true(
    keys.every((key: string) => key.startsWith('sha256:') && key.length <= 200),
    String(keys),
  );
});

test('in the database: buckets full again for a minute are swept, a batch at a time', async (t) => {
  const db = await ownDatabase(t);
  const store = new DatabaseRateLimitStore(db, silentLogger);
  // The first take sweeps (nothing yet); the next sweep is due a minute on.
  await store.take('first', 60, START);
  await db.batchInsert(
    'rate_limits',
    Array.from({ length: 1500 }, (_, i) => ({ key: `old${i}`, tat: START + 1000, admitted: 1 })),
    500,
  );
  t.is(await store.take('live', 60, START + 30_000), 0);
  t.is(await rowsOf(db), 1502, 'no sweep within the minute');

  const later = START + 61_001;
  await store.take('live', 60, later);
  t.is(await rowsOf(db), 502, 'one batch of 1000 at most');
  await store.take('live', 60, later);
  const left = (await db('rate_limits').pluck('key')) as string[];
  t.deepEqual(left, ['live'], 'the backlog went at the next take, and so did `first`');
  t.is(await store.take('first', 60, later), 0, 'a swept bucket starts full');
});

test('in the database: a database busy past its timeout is OFF_01, safe to retry', async (t) => {
  const url = sharedDatabaseUrl(await temporaryDirectory(t));
  // One connection that gives up waiting for a lock after 100 ms: SQLite's busy timeout, or
  // PostgreSQL's lock_timeout.
  const db = createKnex(parseDatabaseUrl(url), { busyTimeoutMs: 100, poolSize: 1 });
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  if (testDialect() === 'postgres') await db.raw("set lock_timeout = '100ms'");
  const store = new DatabaseRateLimitStore(db, silentLogger);
  t.is(await store.take('a', 5, START), 0);

  const other = await ownDatabase(t, url);
  const lock = await other.transaction();
  try {
    await lock('rate_limits').where('key', 'a').update({ admitted: 1 });
    await rejectsWithPlazaError(t, store.take('a', 5, START), { code: 'OFF_01' });
  } finally {
    await lock.rollback();
  }
  t.is(await store.take('a', 5, START), 0, 'counted again once the lock is gone');
});

test('createPlaza keeps rate limits in the database on PostgreSQL, in memory on SQLite, or as told', async (t) => {
  const plaza = await testPlaza(t);
  t.true(
    plaza.rateLimits instanceof
      (testDialect() === 'postgres' ? DatabaseRateLimitStore : InMemoryRateLimitStore),
  );
  const told = await testPlaza(t, { rateLimitStore: 'database' });
  t.true(told.rateLimits instanceof DatabaseRateLimitStore);
  const own = new InMemoryRateLimitStore();
  t.is((await testPlaza(t, { rateLimitStore: own })).rateLimits, own);
});
