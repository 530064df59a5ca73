import test from 'ava';
import type { Knex } from 'knex';

import { isForeignKeyViolation } from '../adapters/db/dbErrors.js';
import {
  migratedDatabase,
  sharedDatabaseUrl,
  type Teardown,
  temporaryDirectory,
  uniqueUsername,
} from '@plaza/testkit';
import { EnrichmentJobs, type ClaimedJob, type EnrichmentJobRow } from './EnrichmentJobs.js';

const T0 = new Date('2026-12-01T12:00:00.000Z');
const LEASE_MS = 60_000;

const later = (ms: number, from: Date = T0): Date => new Date(from.getTime() + ms);

/** A migrated database, a fresh one unless a URL is given, closed when the test ends. */
const aDatabase = (t: Teardown, databaseUrl?: string): Promise<Knex> =>
  migratedDatabase(t, databaseUrl);

/** Inserts a user row (as sign-up would leave it) and returns its id. */
async function aUserRow(db: Knex): Promise<number> {
  const username = uniqueUsername('jobs');
  const at = T0.toISOString();
  const [row] = await db('users')
    .insert({
      username,
      username_key: username,
      email: `${username}@example.com`,
      email_verdict: 'valid',
      password_hash: 'not-a-real-hash',
      created_at: at,
      updated_at: at,
    })
    .returning<Array<{ id: number }>>('id');
  return row!.id;
}

async function usersWithJobs(
  db: Knex,
  jobs: EnrichmentJobs,
  count: number,
  now: Date = T0,
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = await aUserRow(db);
    await jobs.enqueue(id, undefined, now);
    ids.push(id);
  }
  return ids;
}

async function onlyJobOf(jobs: EnrichmentJobs, userId: number): Promise<EnrichmentJobRow> {
  const rows = await jobs.ofUser(userId);
  if (rows.length !== 1) throw new Error(`expected one job, found ${rows.length}`);
  return rows[0]!;
}

test('enqueue adds one pending job, due now, with no attempts yet', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  t.true(await jobs.enqueue(userId, undefined, T0));
  const job = await onlyJobOf(jobs, userId);
  t.like(job, { user_id: userId, state: 'pending', attempts: 0, locked_until: null });
  t.is(new Date(job.next_attempt_at).getTime(), T0.getTime());
  t.is(new Date(job.created_at).getTime(), T0.getTime());
});

test('enqueue twice leaves one active job; the second resolves false', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  t.true(await jobs.enqueue(userId, undefined, T0));
  t.false(await jobs.enqueue(userId, undefined, later(1)));
  t.is((await jobs.ofUser(userId)).length, 1);
});

test('enqueue while the job is running adds nothing', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  await jobs.enqueue(userId, undefined, T0);
  t.is((await jobs.claimDue(10, LEASE_MS, T0)).length, 1);
  t.false(await jobs.enqueue(userId, undefined, later(1)));
  t.is((await jobs.ofUser(userId)).length, 1);
});

test('concurrent requests for one user queue one job', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  const added = await Promise.all(Array.from({ length: 10 }, () => jobs.enqueue(userId)));
  t.is(added.filter(Boolean).length, 1);
  t.is((await jobs.ofUser(userId)).length, 1);
});

test('one user’s job does not stop another user’s', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const [ada, bob] = [await aUserRow(db), await aUserRow(db)];
  t.true(await jobs.enqueue(ada));
  t.true(await jobs.enqueue(bob));
});

for (const state of ['done', 'failed'] as const) {
  test(`after a job is ${state}, a new request queues a new job`, async (t) => {
    const db = await aDatabase(t);
    const jobs = new EnrichmentJobs(db);
    const userId = await aUserRow(db);
    await jobs.enqueue(userId, undefined, T0);
    const [claimed] = await jobs.claimDue(1, LEASE_MS, T0);
    await jobs.finish(claimed!, state, state === 'failed' ? 'not_found' : null);
    t.true(await jobs.enqueue(userId, undefined, later(1)));
    const rows = await jobs.ofUser(userId);
    t.deepEqual(
      rows.map((row) => row.state),
      ['pending', state],
      'newest first',
    );
    t.false(await jobs.enqueue(userId, undefined, later(2)));
  });
}

test('enqueue inside a transaction that rolls back leaves no job', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  await t.throwsAsync(
    db.transaction(async (trx) => {
      t.true(await jobs.enqueue(userId, trx));
      throw new Error('sign-up failed after queueing');
    }),
    { message: 'sign-up failed after queueing' },
  );
  t.deepEqual(await jobs.ofUser(userId), []);
});

test('enqueue for a user who does not exist is a foreign-key error', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const error = await t.throwsAsync(jobs.enqueue(424242));
  t.true(isForeignKeyViolation(error), error.message);
  t.deepEqual(await db('enrichment_jobs').select('id'), []);
});

test('foreign keys are on, so deleting a user deletes their jobs', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const [leaving, staying] = [await aUserRow(db), await aUserRow(db)];
  await jobs.enqueue(leaving, undefined, T0);
  await jobs.enqueue(staying, undefined, T0);
  const [claimed] = await jobs.claimDue(1, LEASE_MS, T0);
  await jobs.finish(claimed!, 'done', null);
  await jobs.enqueue(leaving, undefined, later(1));

  await db('users').where('id', leaving).delete();

  t.deepEqual(await jobs.ofUser(leaving), []);
  t.is((await jobs.ofUser(staying)).length, 1);
});

test('claimDue takes only due jobs, marks them running and counts the attempt', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const due = await aUserRow(db);
  const notYet = await aUserRow(db);
  await jobs.enqueue(due, undefined, T0);
  await jobs.enqueue(notYet, undefined, later(5_000));

  const claimed = await jobs.claimDue(10, LEASE_MS, later(1_000));

  t.deepEqual(
    claimed.map((job) => job.user_id),
    [due],
  );
  t.like(claimed[0], { attempts: 1, created_at: T0.toISOString() });
  const row = await onlyJobOf(jobs, due);
  t.like(row, { state: 'running', attempts: 1 });
  t.is(new Date(row.locked_until!).getTime(), later(1_000 + LEASE_MS).getTime());
  t.like(await onlyJobOf(jobs, notYet), { state: 'pending', attempts: 0 });
});

test('a job due exactly now is claimed', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  await jobs.enqueue(await aUserRow(db), undefined, T0);
  t.is((await jobs.claimDue(1, LEASE_MS, T0)).length, 1);
});

test('claimDue takes at most `limit` jobs, the longest due first', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const third = await aUserRow(db);
  const first = await aUserRow(db);
  const second = await aUserRow(db);
  await jobs.enqueue(third, undefined, later(3));
  await jobs.enqueue(first, undefined, later(1));
  await jobs.enqueue(second, undefined, later(2));

  const claimed = await jobs.claimDue(2, LEASE_MS, later(10));

  t.deepEqual(claimed.map((job) => job.user_id).sort(), [first, second].sort());
  t.like(await onlyJobOf(jobs, third), { state: 'pending' });
});

test('a claimed job is not claimed again while its lease holds', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  await jobs.enqueue(await aUserRow(db), undefined, T0);
  t.is((await jobs.claimDue(10, LEASE_MS, T0)).length, 1);
  t.deepEqual(await jobs.claimDue(10, LEASE_MS, later(LEASE_MS - 1)), []);
  t.deepEqual(await jobs.claimDue(10, LEASE_MS, later(LEASE_MS)), [], 'the lease includes its end');
});

test('a running job whose lease ran out is claimed again, as another attempt', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  await jobs.enqueue(userId, undefined, T0);
  const [first] = await jobs.claimDue(10, LEASE_MS, T0);

  const [again] = await jobs.claimDue(10, LEASE_MS, later(LEASE_MS + 1));

  t.is(again?.id, first!.id);
  t.is(again?.attempts, 2);
  const row = await onlyJobOf(jobs, userId);
  t.is(new Date(row.locked_until!).getTime(), later(2 * LEASE_MS + 1).getTime());
});

test('finished jobs are never claimed', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const [a, b] = [await aUserRow(db), await aUserRow(db)];
  await jobs.enqueue(a, undefined, T0);
  await jobs.enqueue(b, undefined, T0);
  const claimed = await jobs.claimDue(10, LEASE_MS, T0);
  await jobs.finish(claimed[0]!, 'done', null);
  await jobs.finish(claimed[1]!, 'failed', 'not_found');
  t.deepEqual(await jobs.claimDue(10, LEASE_MS, later(10 * LEASE_MS)), []);
});

test('finish records the state and the note, and drops the lease', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  await jobs.enqueue(userId, undefined, T0);
  const [job] = await jobs.claimDue(1, LEASE_MS, T0);
  await jobs.finish(job!, 'failed', 'x'.repeat(2_000));
  const row = await onlyJobOf(jobs, userId);
  t.like(row, { state: 'failed', locked_until: null, attempts: 1 });
  t.is(row.last_error?.length, 500, 'the note is cut to the column');
});

test('finish does nothing to a job that is no longer running', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  await jobs.enqueue(userId, undefined, T0);
  const [job] = await jobs.claimDue(1, LEASE_MS, T0);
  await jobs.release([job!]);
  await jobs.finish(job!, 'done', null);
  t.like(await onlyJobOf(jobs, userId), { state: 'pending' });
});

test('retryAt puts the job back, due at the given time, keeping the attempt', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  await jobs.enqueue(userId, undefined, T0);
  const [job] = await jobs.claimDue(1, LEASE_MS, T0);

  await jobs.retryAt(job!, later(30_000), 'HTTP 503', true);

  const row = await onlyJobOf(jobs, userId);
  t.like(row, { state: 'pending', attempts: 1, locked_until: null, last_error: 'HTTP 503' });
  t.is(new Date(row.next_attempt_at).getTime(), later(30_000).getTime());
  t.deepEqual(await jobs.claimDue(1, LEASE_MS, later(29_999)), [], 'not before it is due');
  const [again] = await jobs.claimDue(1, LEASE_MS, later(30_000));
  t.is(again?.attempts, 2);
});

test('retryAt with countAttempt false gives the attempt back', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  await jobs.enqueue(userId, undefined, T0);
  const [first] = await jobs.claimDue(1, LEASE_MS, T0);
  await jobs.retryAt(first!, later(1_000), 'HTTP 503', true);
  const [second] = await jobs.claimDue(1, LEASE_MS, later(1_000));
  t.is(second?.attempts, 2);

  await jobs.retryAt(second!, later(2_000), 'pending', false);

  t.like(await onlyJobOf(jobs, userId), { state: 'pending', attempts: 1, last_error: 'pending' });
  const [third] = await jobs.claimDue(1, LEASE_MS, later(2_000));
  t.is(third?.attempts, 2);
});

test('release hands jobs back untouched: pending, due as before, attempt given back', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const users = await usersWithJobs(db, jobs, 3);
  const claimed = await jobs.claimDue(3, LEASE_MS, T0);
  t.is(claimed.length, 3);

  await jobs.release(claimed);

  for (const userId of users) {
    const row = await onlyJobOf(jobs, userId);
    t.like(row, { state: 'pending', attempts: 0, locked_until: null });
    t.is(new Date(row.next_attempt_at).getTime(), T0.getTime());
  }
  t.is((await jobs.claimDue(10, LEASE_MS, T0)).length, 3, 'claimable at once');
});

test('release of nothing is a no-op', async (t) => {
  const db = await aDatabase(t);
  await t.notThrowsAsync(new EnrichmentJobs(db).release([]));
});

test('release leaves finished jobs alone', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  await jobs.enqueue(userId, undefined, T0);
  const [job] = await jobs.claimDue(1, LEASE_MS, T0);
  await jobs.finish(job!, 'done', null);
  await jobs.release([job!]);
  t.like(await onlyJobOf(jobs, userId), { state: 'done', attempts: 1 });
});

test('nextDueAt is undefined when nothing waits', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  t.is(await jobs.nextDueAt(), undefined);
  await jobs.enqueue(await aUserRow(db), undefined, T0);
  const [job] = await jobs.claimDue(1, LEASE_MS, T0);
  await jobs.finish(job!, 'done', null);
  t.is(await jobs.nextDueAt(), undefined, 'finished jobs do not count');
});

test('nextDueAt is the earliest pending job', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  await jobs.enqueue(await aUserRow(db), undefined, later(9_000));
  await jobs.enqueue(await aUserRow(db), undefined, later(3_000));
  await jobs.enqueue(await aUserRow(db), undefined, later(5_000));
  t.deepEqual(await jobs.nextDueAt(), later(3_000));
});

test('nextDueAt counts the end of a running job’s lease', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  await jobs.enqueue(await aUserRow(db), undefined, T0);
  await jobs.claimDue(1, LEASE_MS, T0);
  t.deepEqual(await jobs.nextDueAt(), later(LEASE_MS));
  await jobs.enqueue(await aUserRow(db), undefined, later(10_000));
  t.deepEqual(await jobs.nextDueAt(), later(10_000), 'a pending job due sooner wins');
});

test('ofUser lists only that user’s jobs, newest first', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const [ada, bob] = [await aUserRow(db), await aUserRow(db)];
  await jobs.enqueue(ada, undefined, T0);
  await jobs.enqueue(bob, undefined, T0);
  const claimed = await jobs.claimDue(10, LEASE_MS, T0);
  for (const job of claimed) await jobs.finish(job, 'done', null);
  await jobs.enqueue(ada, undefined, later(1));
  const rows = await jobs.ofUser(ada);
  t.deepEqual(
    rows.map((row) => [row.user_id, row.state]),
    [
      [ada, 'pending'],
      [ada, 'done'],
    ],
  );
  t.true(rows[0]!.id > rows[1]!.id);
});

test('concurrent claims from several connections never hand one job out twice', async (t) => {
  const databaseUrl = sharedDatabaseUrl(await temporaryDirectory(t), 'jobs.sqlite');
  const connections: Knex[] = [];
  // One after the other: each runs the (already applied) migrations under knex's lock.
  for (let i = 0; i < 4; i += 1) connections.push(await aDatabase(t, databaseUrl));
  const first = connections[0]!;
  const queues = connections.map((db) => new EnrichmentJobs(db));
  const users = await usersWithJobs(first, queues[0]!, 50);

  const claims = await Promise.all(
    Array.from({ length: 20 }, (_, i) => queues[i % queues.length]!.claimDue(3, LEASE_MS, T0)),
  );

  const claimed: ClaimedJob[] = claims.flat();
  const ids = claimed.map((job) => job.id);
  t.is(ids.length, 50, 'every job claimed');
  t.is(new Set(ids).size, 50, 'no job claimed twice');
  t.deepEqual(
    claimed.map((job) => job.user_id).sort((a, b) => a - b),
    users,
  );
  t.true(claimed.every((job) => job.attempts === 1));
  t.true(claims.every((batch) => batch.length <= 3));
  const states = await first<{ state: string; attempts: number }>('enrichment_jobs').select(
    'state',
    'attempts',
  );
  t.true(states.every((row) => row.state === 'running' && row.attempts === 1));
});

test('concurrent claims on one connection never hand one job out twice', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  await usersWithJobs(db, jobs, 50);
  const claims = await Promise.all(
    Array.from({ length: 20 }, () => jobs.claimDue(4, LEASE_MS, T0)),
  );
  const ids = claims.flat().map((job) => job.id);
  t.is(ids.length, 50);
  t.is(new Set(ids).size, 50);
});

test('a worker whose lease ran out cannot settle the job another worker took since', async (t) => {
  const db = await aDatabase(t);
  const jobs = new EnrichmentJobs(db);
  const userId = await aUserRow(db);
  await jobs.enqueue(userId, undefined, T0);
  const [stale] = await jobs.claimDue(1, LEASE_MS, T0);
  const [fresh] = await jobs.claimDue(1, LEASE_MS, later(LEASE_MS + 1));

  await jobs.finish(stale!, 'failed', 'late answer');
  await jobs.retryAt(stale!, later(LEASE_MS + 5), 'HTTP 503', true);
  const [row] = await jobs.ofUser(userId);
  t.like(row, { state: 'running', attempts: 2, last_error: null });
  t.is(new Date(row!.locked_until!).getTime(), later(2 * LEASE_MS + 1).getTime());

  await jobs.finish(fresh!, 'done', null);
  t.like((await jobs.ofUser(userId))[0], { state: 'done' });
});
