import test from 'ava';
import type { Knex } from 'knex';
import { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import { PlazaError } from '../errors.js';
import { InProcessEventBus } from '../events/InProcessEventBus.js';
import { InboxWriter } from '../inbox/InboxWriter.js';
import { dialectOf } from '../adapters/db/createKnex.js';
import { silentLogger } from '../logger.js';
import {
  aGate,
  aUser,
  databaseUrlIn,
  migratedDatabase,
  nextEvent,
  recordEvents,
  recordingLogger,
  ScriptedEnricher,
  signedUpUser,
  sleep,
  type Teardown,
  temporaryDirectory,
  testOptions,
  testPlaza,
  WAIT_LIMIT_MS,
  waitUntil,
  withDatabase,
} from '@plaza/testkit';
import { EnrichmentJobs, type ClaimedJob } from './EnrichmentJobs.js';
import { enrichmentJobsOf } from './enrichmentJobsOf.js';
import { EnrichmentWorker } from './EnrichmentWorker.js';
import type { PlazaOptions } from '../config.js';
import { createPlaza } from '../createPlaza.js';
import { FAILURE_REASONS } from './retryPolicy.js';

const fastRetries = (enricher: ScriptedEnricher, extra: PlazaOptions['enrichment'] = {}) => ({
  enrichment: { enricher, retryBaseMs: 10, retryMaxMs: 40, pollIntervalMs: 20, ...extra },
});

const LONDON = { kind: 'found', profile: { city: 'London', first_name: 'Ada' } } as const;

test('a found profile fills only the empty fields and is announced with the new profile', async (t) => {
  const enricher = new ScriptedEnricher(LONDON);
  const plaza = await testPlaza(t, fastRetries(enricher));
  const completed = nextEvent(plaza, 'enrichment.completed');
  const { id } = await signedUpUser(plaza, { first_name: 'Augusta' });

  const event = await completed;
  t.is(event.user_id, id);
  t.is(event.profile.city, 'London');
  t.is(event.profile.first_name, 'Augusta', 'what the user wrote is kept');
  const stored = await plaza.users.profile({ user_id: id }, id);
  t.is(stored.city, 'London');
  t.is(stored.first_name, 'Augusta');
  const [job] = await enrichmentJobsOf(plaza, id);
  t.is(job?.state, 'done');
  t.is(job?.attempts, 1);
});

test('the completion log names only the fields that were filled, not what the user wrote', async (t) => {
  const enricher = new ScriptedEnricher({
    kind: 'found',
    profile: { city: 'London', first_name: 'Ada', last_name: 'Lovelace' },
  });
  const { logger, calls } = recordingLogger();
  const plaza = await testPlaza(t, { ...fastRetries(enricher), logger });
  const completed = nextEvent(plaza, 'enrichment.completed');
  await signedUpUser(plaza, { first_name: 'Augusta', last_name: 'Lovelace' });
  await completed;

  const line = calls.find((call) => call.message === 'enrichment completed');
  t.deepEqual(line?.fields['filled'], ['city']);
});

test('sign-up queues one job; asking again while it waits adds none', async (t) => {
  const enricher = new ScriptedEnricher(async () => {
    await held.opened;
    return LONDON;
  });
  const plaza = await testPlaza(t, fastRetries(enricher));
  const held = aGate(t);
  const { id } = await signedUpUser(plaza);
  t.deepEqual(await plaza.enrichment.request(id), { queued: false });
  t.deepEqual(await plaza.enrichment.request(id), { queued: false });
  t.is((await enrichmentJobsOf(plaza, id)).length, 1);
  const completed = nextEvent(plaza, 'enrichment.completed', (e) => e.user_id === id);
  held.open();
  await completed;
  t.deepEqual(
    await plaza.enrichment.request(id),
    { queued: true },
    'a finished job can be asked again',
  );
  await nextEvent(plaza, 'enrichment.completed', (e) => e.user_id === id);
  t.is(enricher.calls.length, 2);
});

test('transient failures are retried with backoff until the provider answers', async (t) => {
  const enricher = new ScriptedEnricher();
  const email = 'flaky@example.com';
  enricher.script(
    email,
    { kind: 'transient_error', reason: 'HTTP 503' },
    { kind: 'transient_error', reason: 'HTTP 502' },
    LONDON,
  );
  const plaza = await testPlaza(t, fastRetries(enricher));
  const completed = nextEvent(plaza, 'enrichment.completed');
  const { id } = await signedUpUser(plaza, { email });
  await completed;
  t.is(enricher.callsFor(email), 3);
  const [job] = await enrichmentJobsOf(plaza, id);
  t.is(job?.state, 'done');
  t.is(job?.attempts, 3);
  const gaps = enricher.calls.slice(1).map((call, i) => call.at - enricher.calls[i]!.at);
  t.true(
    gaps.every((gap) => gap >= 5),
    `each retry waited its backoff (gaps ${gaps.join(', ')})`,
  );
});

test('a provider that never recovers fails the job after maxAttempts tries, with a notice', async (t) => {
  const enricher = new ScriptedEnricher({ kind: 'transient_error', reason: 'HTTP 500' });
  const plaza = await testPlaza(t, fastRetries(enricher, { maxAttempts: 3 }));
  const failed = nextEvent(plaza, 'enrichment.failed');
  const { id } = await signedUpUser(plaza);
  t.like(await failed, { user_id: id, reason: FAILURE_REASONS.gaveUp });
  await sleep(100);
  t.is(enricher.calls.length, 3, 'no try after giving up');
  const [job] = await enrichmentJobsOf(plaza, id);
  t.is(job?.state, 'failed');
  t.regex(job?.last_error ?? '', /HTTP 500/);
});

test('"still looking" waits as asked without using up tries', async (t) => {
  const enricher = new ScriptedEnricher();
  const email = 'slow@example.com';
  enricher.script(
    email,
    ...Array.from({ length: 4 }, () => ({ kind: 'pending', retryAfterMs: 30 }) as const),
    LONDON,
  );
  const plaza = await testPlaza(t, fastRetries(enricher, { maxAttempts: 2 }));
  const completed = nextEvent(plaza, 'enrichment.completed');
  const { id } = await signedUpUser(plaza, { email });
  await completed;
  t.is(enricher.callsFor(email), 5);
  const [job] = await enrichmentJobsOf(plaza, id);
  t.is(job?.attempts, 1, 'only the answered try counts');
  const gaps = enricher.calls.slice(1).map((call, i) => call.at - enricher.calls[i]!.at);
  t.true(
    gaps.every((gap) => gap >= 25),
    `Retry-After was honoured (gaps ${gaps.join(', ')})`,
  );
});

test('a rate limit holds every job, not only the one that met it', async (t) => {
  const enricher = new ScriptedEnricher(LONDON);
  enricher.script('first@example.com', { kind: 'rate_limited', retryAfterMs: 300 }, LONDON);
  const plaza = await testPlaza(t, fastRetries(enricher, { concurrency: 1 }));
  await signedUpUser(plaza, { email: 'first@example.com' });
  await waitUntil('the rate-limited look-up', () => enricher.calls.length > 0);
  const limitedAt = enricher.calls[0]!.at;
  const second = nextEvent(
    plaza,
    'enrichment.completed',
    (e) => e.profile.email === 'second@example.com',
  );
  await signedUpUser(plaza, { email: 'second@example.com' });
  await second;
  const secondCall = enricher.calls.find((call) => call.email === 'second@example.com');
  const waited = secondCall!.at - limitedAt;
  t.true(waited >= 280, `the second job waited out the rate limit (${waited} ms)`);
});

test('final answers fail at once with a reason the user can read, and store nothing', async (t) => {
  const cases = [
    [{ kind: 'not_found' }, FAILURE_REASONS.notFound],
    [{ kind: 'invalid_input' }, FAILURE_REASONS.invalidInput],
    [{ kind: 'legal_block' }, FAILURE_REASONS.legalBlock],
    [{ kind: 'auth_error' }, FAILURE_REASONS.unavailable],
    [{ kind: 'quota_exhausted' }, FAILURE_REASONS.unavailable],
  ] as const;
  for (const [answer, reason] of cases) {
    const enricher = new ScriptedEnricher(answer);
    const plaza = await testPlaza(t, fastRetries(enricher));
    const failed = nextEvent(plaza, 'enrichment.failed');
    const { id } = await signedUpUser(plaza);
    t.like(await failed, { user_id: id, reason }, answer.kind);
    t.is(enricher.calls.length, 1, `${answer.kind} is not retried`);
    t.is((await plaza.users.profile({ user_id: id })).city, null);
  }
});

test('an enricher that throws is treated as an outage and retried', async (t) => {
  const enricher = new ScriptedEnricher();
  enricher.script('oops@example.com', () => Promise.reject(new Error('bug in an adapter')), LONDON);
  const plaza = await testPlaza(t, fastRetries(enricher));
  const completed = nextEvent(plaza, 'enrichment.completed');
  await signedUpUser(plaza, { email: 'oops@example.com' });
  await completed;
  t.is(enricher.calls.length, 2);
});

test('no more than `concurrency` look-ups run at once, and every job finishes', async (t) => {
  const enricher = new ScriptedEnricher(async () => {
    await gate.opened;
    return LONDON;
  });
  const plaza = await testPlaza(t, fastRetries(enricher, { concurrency: 3 }));
  const gate = aGate(t);
  const { events } = recordEvents(plaza, 'enrichment.completed');
  const ids: number[] = [];
  for (let i = 0; i < 12; i += 1) ids.push((await signedUpUser(plaza)).id);
  await waitUntil('three look-ups in hand', () => enricher.inFlight === 3);
  await sleep(100);
  t.is(enricher.inFlight, 3, 'three held, nine waiting');
  gate.open();
  await waitUntil('every job announced', () => events.length >= ids.length);
  t.deepEqual(
    events.map((e) => e.user_id).sort((a, b) => a - b),
    ids,
  );
  t.is(enricher.maxInFlight, 3);
});

test('two workers on one database never run the same job twice', async (t) => {
  const dir = await temporaryDirectory(t);
  const databaseUrl = databaseUrlIn(dir);
  const slow = async () => {
    await sleep(5);
    return LONDON;
  };
  const enrichers = [new ScriptedEnricher(slow), new ScriptedEnricher(slow)];
  // Started together, as two processes would be; each is closed when the test ends even if
  // the other failed to start, or its worker would keep the test file from exiting.
  const plazas = await Promise.all(
    enrichers.map(async (enricher) => {
      const plaza = await createPlaza(
        testOptions({ databaseUrl, ...fastRetries(enricher, { pollIntervalMs: 10 }) }),
      );
      t.teardown(() => plaza.close());
      return plaza;
    }),
  );
  const users: Array<{ readonly id: number }> = [];
  for (let i = 0; i < 30; i += 1) users.push(await signedUpUser(plazas[i % 2]!));
  const done = async () => {
    const jobs = await Promise.all(users.map((user) => enrichmentJobsOf(plazas[0]!, user.id)));
    return jobs.every((list) => list[0]?.state === 'done');
  };
  await waitUntil('every job done', done);
  const calls = enrichers.flatMap((enricher) => enricher.calls.map((call) => call.email));
  t.is(calls.length, users.length, 'one look-up per job');
  t.is(new Set(calls).size, users.length);
});

test('a job still waiting when the server stops is finished after it starts again', async (t) => {
  const dir = await temporaryDirectory(t);
  const databaseUrl = databaseUrlIn(dir);
  const down = new ScriptedEnricher({ kind: 'transient_error', reason: 'HTTP 503' });
  const first = await createPlaza(testOptions({ databaseUrl, ...fastRetries(down) }));
  const { id } = await signedUpUser(first);
  await waitUntil('a look-up while the provider is down', () => down.calls.length > 0);
  await first.close();
  const callsWhileDown = down.calls.length;

  const up = new ScriptedEnricher(LONDON);
  const second = await createPlaza(testOptions({ databaseUrl, ...fastRetries(up) }));
  t.teardown(() => second.close());
  const completed = await nextEvent(second, 'enrichment.completed', (e) => e.user_id === id);
  t.is(completed.profile.city, 'London');
  t.is(down.calls.length, callsWhileDown, 'the stopped worker made no call after close()');
  const [job] = await enrichmentJobsOf(second, id);
  t.is(job?.state, 'done');
});

test('a job held by a worker that died is taken again once its lease has run out', async (t) => {
  const dir = await temporaryDirectory(t);
  const databaseUrl = databaseUrlIn(dir);
  const idle = await createPlaza(
    testOptions({ databaseUrl, enrichment: { enricher: new ScriptedEnricher(), worker: false } }),
  );
  const { id } = await signedUpUser(idle);
  await idle.close();
  // What a SIGKILLed worker leaves behind: a running job with a lease that has passed.
  await withDatabase(databaseUrl, async (db) => {
    await db('enrichment_jobs')
      .where('user_id', id)
      .update({
        state: 'running',
        attempts: 1,
        locked_until: new Date(Date.now() - 1000).toISOString(),
      });
  });

  const enricher = new ScriptedEnricher(LONDON);
  const plaza = await createPlaza(testOptions({ databaseUrl, ...fastRetries(enricher) }));
  t.teardown(() => plaza.close());
  await nextEvent(plaza, 'enrichment.completed', (e) => e.user_id === id);
  const [job] = await enrichmentJobsOf(plaza, id);
  t.is(job?.attempts, 2);
});

test('without a provider, sign-up queues nothing and a request is answered with a notice', async (t) => {
  const plaza = await testPlaza(t, { enrichment: { provider: 'none' } });
  const { id } = await signedUpUser(plaza);
  t.deepEqual(await enrichmentJobsOf(plaza, id), []);
  const failed = nextEvent(plaza, 'enrichment.failed');
  t.deepEqual(await plaza.enrichment.request(id), { queued: false });
  t.like(await failed, { user_id: id, reason: FAILURE_REASONS.notConfigured });
});

test('close() waits for the look-up in hand, and the job is settled before the database closes', async (t) => {
  const dir = await temporaryDirectory(t);
  const databaseUrl = databaseUrlIn(dir);
  const enricher = new ScriptedEnricher(async () => {
    await sleep(150);
    return LONDON;
  });
  const plaza = await createPlaza(testOptions({ databaseUrl, ...fastRetries(enricher) }));
  const { id } = await signedUpUser(plaza, aUser());
  await waitUntil('the look-up to start', () => enricher.inFlight > 0);
  await plaza.close();
  const reopened = await testPlaza(t, { databaseUrl, enrichment: { provider: 'none' } });
  const [job] = await enrichmentJobsOf(reopened, id);
  t.is(job?.state, 'done');
  t.is((await reopened.users.profile({ user_id: id })).city, 'London');
});

test('sign-up and a request wake the worker at once, whatever the poll interval', async (t) => {
  const enricher = new ScriptedEnricher(LONDON);
  // Far longer than the waits below may take (WAIT_LIMIT_MS, roomy for a saturated machine):
  // an event within them came from the wake-up, not from a poll.
  const pollIntervalMs = 10 * WAIT_LIMIT_MS;
  const plaza = await testPlaza(t, { enrichment: { enricher, pollIntervalMs } });
  await sleep(50); // the worker has looked at the empty queue and sleeps for the interval
  const first = nextEvent(plaza, 'enrichment.completed');
  const { id } = await signedUpUser(plaza);
  await first;
  await sleep(50);
  const second = nextEvent(plaza, 'enrichment.completed', (e) => e.user_id === id);
  t.deepEqual(await plaza.enrichment.request(id), { queued: true });
  await second;
  t.is(enricher.calls.length, 2);
});

test('a request for a user who no longer exists is AUT_01', async (t) => {
  const plaza = await testPlaza(t, { enrichment: { enricher: new ScriptedEnricher(LONDON) } });
  const error = await t.throwsAsync(plaza.enrichment.request(987_654), { instanceOf: PlazaError });
  t.is(error.code, 'AUT_01');
});

const DIRECT_SETTINGS = {
  concurrency: 1,
  pollIntervalMs: 20,
  leaseMs: 60_000,
  maxAttempts: 3,
  retryBaseMs: 10,
  retryMaxMs: 40,
  maxPendingMs: 60_000,
};

async function aJobDatabase(t: Teardown): Promise<{ db: Knex; userId: number }> {
  const db = await migratedDatabase(t);
  const at = new Date().toISOString();
  const [row] = await db('users')
    .insert({
      username: 'ada',
      username_key: 'ada',
      email: 'ada@example.com',
      email_verdict: 'valid',
      password_hash: 'not a hash',
      created_at: at,
      updated_at: at,
    })
    .returning<Array<{ id: number }>>('id');
  return { db, userId: row!.id };
}

test('a save that does not commit announces nothing and leaves the job for a later try', async (t) => {
  const { db, userId } = await aJobDatabase(t);
  class FailingFinish extends EnrichmentJobs {
    failed = false;
    override async finish(
      job: ClaimedJob,
      state: 'done' | 'failed',
      note: string | null,
      trx?: Knex.Transaction,
    ): Promise<void> {
      if (trx !== undefined && !this.failed) {
        this.failed = true;
        throw new Error('SQLITE_BUSY: database is locked');
      }
      return super.finish(job, state, note, trx);
    }
  }
  const jobs = new FailingFinish(db);
  await jobs.enqueue(userId);
  const events = new InProcessEventBus();
  const completed: unknown[] = [];
  events.subscribe('enrichment.completed', (payload) => completed.push(payload));
  const { logger, calls } = recordingLogger();
  const worker = new EnrichmentWorker({
    db,
    inbox: new InboxWriter(dialectOf(db)),
    jobs,
    enricher: new ScriptedEnricher(LONDON),
    events,
    writes: new WriteBatcher(db),
    settings: DIRECT_SETTINGS,
    logger,
  });
  worker.start();
  await waitUntil('the job to break', () => calls.some((call) => call.level === 'error'));
  await worker.stop();
  t.deepEqual(completed, [], 'nothing announced for a save that did not commit');
  t.like((await jobs.ofUser(userId))[0], { state: 'running' });
  t.is(((await db('users').where('id', userId).first()) as { city: string | null }).city, null);
});

test('jobs claimed while the worker stops are handed back, not looked up', async (t) => {
  const { db, userId } = await aJobDatabase(t);
  const gate = aGate(t);
  let claimed = false;
  class SlowClaims extends EnrichmentJobs {
    override async claimDue(limit: number, leaseMs: number, now?: Date): Promise<ClaimedJob[]> {
      const jobs = await super.claimDue(limit, leaseMs, now);
      if (jobs.length > 0) {
        claimed = true;
        await gate.opened;
      }
      return jobs;
    }
  }
  const jobs = new SlowClaims(db);
  await jobs.enqueue(userId);
  const enricher = new ScriptedEnricher(LONDON);
  const worker = new EnrichmentWorker({
    db,
    inbox: new InboxWriter(dialectOf(db)),
    jobs,
    enricher,
    events: new InProcessEventBus(),
    writes: new WriteBatcher(db),
    settings: DIRECT_SETTINGS,
    logger: silentLogger,
  });
  worker.start();
  await waitUntil('a claim', () => claimed);
  const stopped = worker.stop();
  gate.open();
  await stopped;
  t.is(enricher.calls.length, 0);
  t.like((await jobs.ofUser(userId))[0], { state: 'pending', attempts: 0, locked_until: null });
});
