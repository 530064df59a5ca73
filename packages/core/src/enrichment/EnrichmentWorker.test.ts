import test from 'ava';
import knex from 'knex';
import type { PlazaOptions } from '../config.js';
import { createPlaza } from '../createPlaza.js';
import {
  aUser,
  signedUpUser,
  sqliteUrl,
  temporaryDirectory,
  testOptions,
  testPlaza,
} from '../testing/builders.js';
import { nextEvent, recordEvents, ScriptedEnricher, sleep } from '../testing/scriptedEnricher.js';
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
  const [job] = await plaza.enrichment.jobsOf(id);
  t.is(job?.state, 'done');
  t.is(job?.attempts, 1);
});

test('sign-up queues one job; asking again while it waits adds none', async (t) => {
  let release = (): void => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const enricher = new ScriptedEnricher(async () => {
    await held;
    return LONDON;
  });
  const plaza = await testPlaza(t, fastRetries(enricher));
  const { id } = await signedUpUser(plaza);
  t.deepEqual(await plaza.enrichment.request(id), { queued: false });
  t.deepEqual(await plaza.enrichment.request(id), { queued: false });
  t.is((await plaza.enrichment.jobsOf(id)).length, 1);
  const completed = nextEvent(plaza, 'enrichment.completed', (e) => e.user_id === id);
  release();
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
  const [job] = await plaza.enrichment.jobsOf(id);
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
  t.deepEqual(await failed, { user_id: id, reason: FAILURE_REASONS.gaveUp });
  await sleep(100);
  t.is(enricher.calls.length, 3, 'no try after giving up');
  const [job] = await plaza.enrichment.jobsOf(id);
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
  const [job] = await plaza.enrichment.jobsOf(id);
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
  const limitedAt = Date.now();
  await signedUpUser(plaza, { email: 'first@example.com' });
  await sleep(50);
  const second = nextEvent(
    plaza,
    'enrichment.completed',
    (e) => e.profile.email === 'second@example.com',
  );
  await signedUpUser(plaza, { email: 'second@example.com' });
  await second;
  const secondCall = enricher.calls.find((call) => call.email === 'second@example.com');
  t.true(secondCall!.at - limitedAt >= 250, 'the second job waited out the rate limit');
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
    t.deepEqual(await failed, { user_id: id, reason }, answer.kind);
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
  let open = (): void => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const enricher = new ScriptedEnricher(async () => {
    await gate;
    return LONDON;
  });
  const plaza = await testPlaza(t, fastRetries(enricher, { concurrency: 3 }));
  const { events } = recordEvents(plaza, 'enrichment.completed');
  const ids: number[] = [];
  for (let i = 0; i < 12; i += 1) ids.push((await signedUpUser(plaza)).id);
  while (enricher.inFlight < 3) await sleep(10);
  await sleep(100);
  t.is(enricher.inFlight, 3, 'three held, nine waiting');
  open();
  for (let i = 0; i < 200 && events.length < ids.length; i += 1) await sleep(25);
  t.deepEqual(
    events.map((e) => e.user_id).sort((a, b) => a - b),
    ids,
  );
  t.is(enricher.maxInFlight, 3);
});

test('two workers on one database never run the same job twice', async (t) => {
  const dir = await temporaryDirectory(t);
  const databaseUrl = sqliteUrl(dir);
  const slow = async () => {
    await sleep(5);
    return LONDON;
  };
  const enrichers = [new ScriptedEnricher(slow), new ScriptedEnricher(slow)];
  const plazas = await Promise.all(
    enrichers.map((enricher) =>
      createPlaza(testOptions({ databaseUrl, ...fastRetries(enricher, { pollIntervalMs: 10 }) })),
    ),
  );
  t.teardown(() => Promise.all(plazas.map((plaza) => plaza.close())));
  const users: Array<{ readonly id: number }> = [];
  for (let i = 0; i < 30; i += 1) users.push(await signedUpUser(plazas[i % 2]!));
  const done = async () => {
    const jobs = await Promise.all(users.map((user) => plazas[0]!.enrichment.jobsOf(user.id)));
    return jobs.every((list) => list[0]?.state === 'done');
  };
  for (let i = 0; i < 200 && !(await done()); i += 1) await sleep(25);
  t.true(await done());
  const calls = enrichers.flatMap((enricher) => enricher.calls.map((call) => call.email));
  t.is(calls.length, users.length, 'one look-up per job');
  t.is(new Set(calls).size, users.length);
});

test('a job still waiting when the server stops is finished after it starts again', async (t) => {
  const dir = await temporaryDirectory(t);
  const databaseUrl = sqliteUrl(dir);
  const down = new ScriptedEnricher({ kind: 'transient_error', reason: 'HTTP 503' });
  const first = await createPlaza(testOptions({ databaseUrl, ...fastRetries(down) }));
  const { id } = await signedUpUser(first);
  while (down.calls.length === 0) await sleep(10);
  await first.close();
  const callsWhileDown = down.calls.length;

  const up = new ScriptedEnricher(LONDON);
  const second = await createPlaza(testOptions({ databaseUrl, ...fastRetries(up) }));
  t.teardown(() => second.close());
  const completed = await nextEvent(second, 'enrichment.completed', (e) => e.user_id === id);
  t.is(completed.profile.city, 'London');
  t.is(down.calls.length, callsWhileDown, 'the stopped worker made no call after close()');
  const [job] = await second.enrichment.jobsOf(id);
  t.is(job?.state, 'done');
});

test('a job held by a worker that died is taken again once its lease has run out', async (t) => {
  const dir = await temporaryDirectory(t);
  const databaseUrl = sqliteUrl(dir);
  const idle = await createPlaza(
    testOptions({ databaseUrl, enrichment: { enricher: new ScriptedEnricher(), worker: false } }),
  );
  const { id } = await signedUpUser(idle);
  await idle.close();
  // What a SIGKILLed worker leaves behind: a running job with a lease that has passed.
  const db = knex({
    client: 'sqlite3',
    connection: { filename: databaseUrl.slice('sqlite:'.length) },
    useNullAsDefault: true,
  });
  await db('enrichment_jobs')
    .where('user_id', id)
    .update({
      state: 'running',
      attempts: 1,
      locked_until: new Date(Date.now() - 1000).toISOString(),
    });
  await db.destroy();

  const enricher = new ScriptedEnricher(LONDON);
  const plaza = await createPlaza(testOptions({ databaseUrl, ...fastRetries(enricher) }));
  t.teardown(() => plaza.close());
  await nextEvent(plaza, 'enrichment.completed', (e) => e.user_id === id);
  const [job] = await plaza.enrichment.jobsOf(id);
  t.is(job?.attempts, 2);
});

test('without a provider, sign-up queues nothing and a request is answered with a notice', async (t) => {
  const plaza = await testPlaza(t, { enrichment: { provider: 'none' } });
  const { id } = await signedUpUser(plaza);
  t.deepEqual(await plaza.enrichment.jobsOf(id), []);
  const failed = nextEvent(plaza, 'enrichment.failed');
  t.deepEqual(await plaza.enrichment.request(id), { queued: false });
  t.deepEqual(await failed, { user_id: id, reason: FAILURE_REASONS.notConfigured });
});

test('close() waits for the look-up in hand, and the job is settled before the database closes', async (t) => {
  const dir = await temporaryDirectory(t);
  const databaseUrl = sqliteUrl(dir);
  const enricher = new ScriptedEnricher(async () => {
    await sleep(150);
    return LONDON;
  });
  const plaza = await createPlaza(testOptions({ databaseUrl, ...fastRetries(enricher) }));
  const { id } = await signedUpUser(plaza, aUser());
  while (enricher.inFlight === 0) await sleep(5);
  await plaza.close();
  const reopened = await testPlaza(t, { databaseUrl, enrichment: { provider: 'none' } });
  const [job] = await reopened.enrichment.jobsOf(id);
  t.is(job?.state, 'done');
  t.is((await reopened.users.profile({ user_id: id })).city, 'London');
});
