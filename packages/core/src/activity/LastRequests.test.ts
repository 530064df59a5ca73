import test, { type ExecutionContext } from 'ava';
import type { Knex } from 'knex';
import { migratedDatabase, recordingLogger, type LogCall } from '@plaza/testkit';
import { toIsoTimestamp } from '../adapters/db/dbErrors.js';
import { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import { ConfigError } from '../errors.js';
import { LastRequests, lastRequestFlushMs, type FlushTimer } from './LastRequests.js';

/** A timer fired by hand: the test is the clock. */
class ManualTimer {
  readonly scheduled: Array<{ readonly ms: number; readonly flush: () => void }> = [];
  cancelled = 0;

  readonly timer: FlushTimer = (flush, ms) => {
    const entry = { ms, flush };
    this.scheduled.push(entry);
    return () => {
      const at = this.scheduled.indexOf(entry);
      if (at >= 0) {
        this.scheduled.splice(at, 1);
        this.cancelled += 1;
      }
    };
  };

  /** Fires the flush that is due; the test then awaits `lastRequests.flush()` to see it done. */
  fire(): void {
    const entry = this.scheduled.shift();
    if (entry === undefined) throw new Error('no flush is scheduled');
    entry.flush();
  }
}

interface Setup {
  readonly db: Knex;
  readonly userIds: number[];
  readonly timer: ManualTimer;
  readonly clock: { now: number };
  readonly lastRequests: LastRequests;
  readonly logs: LogCall[];
  /** The statements that wrote last request times since the last call. */
  readonly writes: () => string[];
}

const START = Date.parse('2026-12-08T10:00:00.000Z');

async function setUp(t: ExecutionContext, users: number, flushIntervalMs = 60_000): Promise<Setup> {
  const db = await migratedDatabase(t);
  const createdAt = new Date(START).toISOString();
  const rows = Array.from({ length: users }, (_, index) => ({
    username: `user${index}`,
    username_key: `user${index}`,
    email: `user${index}@example.com`,
    email_verdict: 'skipped',
    password_hash: 'not-a-hash',
    created_at: createdAt,
    updated_at: createdAt,
  }));
  const userIds: number[] = [];
  for (let start = 0; start < rows.length; start += 200) {
    const inserted = await db('users')
      .insert(rows.slice(start, start + 200))
      .returning<Array<{ id: number | string }>>('id');
    userIds.push(...inserted.map((row) => Number(row.id)));
  }
  const batcher = new WriteBatcher(db);
  t.teardown(() => batcher.close());
  let seen: string[] = [];
  db.on('query', (query: { sql: string }) => {
    if (/last_request_at\s*=/.test(query.sql)) seen.push(query.sql);
  });
  const timer = new ManualTimer();
  const clock = { now: START };
  const recorded = recordingLogger();
  const lastRequests = new LastRequests({
    db,
    writes: batcher,
    logger: recorded.logger,
    flushIntervalMs,
    now: () => clock.now,
    timer: timer.timer,
  });
  return {
    db,
    userIds,
    timer,
    clock,
    lastRequests,
    logs: recorded.calls,
    writes: () => {
      const written = seen;
      seen = [];
      return written;
    },
  };
}

async function storedTimes(db: Knex, userIds: readonly number[]): Promise<Map<number, string>> {
  const rows = (await db('users')
    .select('id', 'last_request_at')
    .whereIn('id', userIds)
    .whereNotNull('last_request_at')) as Array<{ id: number | string; last_request_at: unknown }>;
  return new Map(rows.map((row) => [Number(row.id), toIsoTimestamp(row.last_request_at)]));
}

const iso = (ms: number): string => new Date(ms).toISOString();

test('many requests of many people: nothing is written until the interval ends, then one statement writes each person’s newest time', async (t) => {
  const { db, userIds, timer, clock, lastRequests, writes } = await setUp(t, 300);
  // 20 requests per person, spread over the interval.
  for (let round = 0; round < 20; round += 1) {
    for (const userId of userIds) lastRequests.note(userId);
    clock.now += 1000;
  }
  const newest = clock.now - 1000;
  t.deepEqual(writes(), [], 'no write before the interval ends');
  t.is(timer.scheduled.length, 1, 'one timer for everyone');
  t.is(timer.scheduled[0]?.ms, 60_000);
  t.is((await storedTimes(db, userIds)).size, 0);
  t.is(lastRequests.pendingOf(userIds[0]!), newest, 'readers here see the time not yet written');

  timer.fire();
  await lastRequests.flush();
  t.is(writes().length, 1, '6,000 requests of 300 people: one statement');
  const stored = await storedTimes(db, userIds);
  t.is(stored.size, 300);
  t.true([...stored.values()].every((at) => at === iso(newest)));
  t.is(lastRequests.pendingOf(userIds[0]!), undefined, 'nothing pending once written');
  t.is(timer.scheduled.length, 0, 'an idle instance has no timer');
});

test('each person is written at most once per interval, whatever they do in between', async (t) => {
  const { db, userIds, timer, clock, lastRequests, writes } = await setUp(t, 3);
  const [ada, bob] = userIds as [number, number];
  const written: string[][] = [];
  for (let interval = 0; interval < 5; interval += 1) {
    for (let request = 0; request < 100; request += 1) {
      lastRequests.note(ada);
      if (request % 10 === 0) lastRequests.note(bob);
      clock.now += 500;
    }
    t.is(timer.scheduled.length, 1);
    timer.fire();
    await lastRequests.flush();
    written.push(writes());
  }
  // Five intervals, one statement each, for both people at once.
  t.deepEqual(
    written.map((statements) => statements.length),
    [1, 1, 1, 1, 1],
  );
  const stored = await storedTimes(db, userIds);
  t.is(stored.get(ada), iso(clock.now - 500));
  t.is(stored.get(bob), iso(clock.now - 500 * 10));
  t.false(stored.has(userIds[2]!), 'who made no request has none');
});

test('more than a thousand people: one statement per thousand, all in one flush', async (t) => {
  const { db, userIds, timer, lastRequests, writes } = await setUp(t, 2_500);
  for (const userId of userIds) lastRequests.note(userId);
  timer.fire();
  await lastRequests.flush();
  t.is(writes().length, 3);
  t.is((await storedTimes(db, userIds)).size, 2_500);
});

test('close() writes what is pending at once, cancels the timer, and notes nothing after', async (t) => {
  const { db, userIds, timer, clock, lastRequests, writes } = await setUp(t, 2);
  const [ada, bob] = userIds as [number, number];
  lastRequests.note(ada);
  clock.now += 10;
  lastRequests.note(bob);
  t.is(timer.scheduled.length, 1);
  await lastRequests.close();
  t.is(timer.cancelled, 1, 'no flush left to fire');
  t.is(writes().length, 1);
  const stored = await storedTimes(db, userIds);
  t.is(stored.get(ada), iso(START));
  t.is(stored.get(bob), iso(START + 10));

  lastRequests.note(ada);
  t.is(timer.scheduled.length, 0);
  t.is(lastRequests.pendingOf(ada), undefined);
});

test('a stored time newer than the one flushed stays (another instance wrote it)', async (t) => {
  const { db, userIds, timer, lastRequests } = await setUp(t, 1);
  const [ada] = userIds as [number];
  const later = iso(START + 30_000);
  await db('users').where('id', ada).update({ last_request_at: later });
  lastRequests.note(ada);
  timer.fire();
  await lastRequests.flush();
  t.is((await storedTimes(db, userIds)).get(ada), later);
});

test('a flush that fails keeps the times for the next one, and newer notes win', async (t) => {
  const { db, userIds, timer, clock, lastRequests, writes, logs } = await setUp(t, 1);
  const [ada] = userIds as [number];
  lastRequests.note(ada);
  // The column is gone for a moment: the statement fails.
  await db.schema.alterTable('users', (table) => table.renameColumn('last_request_at', 'gone'));
  timer.fire();
  await lastRequests.flush();
  t.is(lastRequests.pendingOf(ada), START, 'kept');
  t.true(logs.some((call) => call.level === 'warn' && call.fields['retry'] === true));
  t.is(timer.scheduled.length, 1, 'tried again after an interval');
  await db.schema.alterTable('users', (table) => table.renameColumn('gone', 'last_request_at'));
  clock.now += 5_000;
  lastRequests.note(ada);
  writes();
  timer.fire();
  await lastRequests.flush();
  t.is(writes().length, 1);
  t.is((await storedTimes(db, userIds)).get(ada), iso(START + 5_000));
});

test('a deleted person is forgotten: nothing pending, nothing written', async (t) => {
  const { db, userIds, timer, lastRequests } = await setUp(t, 2);
  const [ada, bob] = userIds as [number, number];
  lastRequests.note(ada);
  lastRequests.note(bob);
  lastRequests.forget(ada);
  t.is(lastRequests.pendingOf(ada), undefined);
  timer.fire();
  await lastRequests.flush();
  t.deepEqual([...(await storedTimes(db, userIds)).keys()], [bob]);
});

test('the flush interval is checked: 100 ms to an hour', (t) => {
  t.is(lastRequestFlushMs(undefined), 60_000);
  t.is(lastRequestFlushMs(100), 100);
  t.throws(() => lastRequestFlushMs(99), { instanceOf: ConfigError });
  t.throws(() => lastRequestFlushMs(3_600_001), { instanceOf: ConfigError });
  t.throws(() => lastRequestFlushMs(1.5), { instanceOf: ConfigError });
});

test('two instances flushing the same people at once: each person keeps the newer of the two times', async (t) => {
  const { db, userIds, timer, clock, lastRequests } = await setUp(t, 400);
  const otherTimer = new ManualTimer();
  const otherClock = { now: START };
  const otherWrites = new WriteBatcher(db);
  t.teardown(() => otherWrites.close());
  const other = new LastRequests({
    db,
    writes: otherWrites,
    logger: recordingLogger().logger,
    now: () => otherClock.now,
    timer: otherTimer.timer,
  });
  // Even people were seen last by this instance, odd ones by the other.
  for (const [index, userId] of userIds.entries()) {
    clock.now = START + (index % 2 === 0 ? 2_000 : 1_000) + index;
    otherClock.now = START + (index % 2 === 0 ? 1_000 : 2_000) + index;
    lastRequests.note(userId);
    other.note(userId);
  }
  timer.fire();
  otherTimer.fire();
  await Promise.all([lastRequests.flush(), other.flush(), lastRequests.close(), other.close()]);
  const stored = await storedTimes(db, userIds);
  t.is(stored.size, userIds.length);
  for (const [index, userId] of userIds.entries()) {
    t.is(stored.get(userId), iso(START + 2_000 + index), `person ${index}`);
  }
});
