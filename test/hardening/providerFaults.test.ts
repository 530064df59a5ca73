import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { enrichmentJobsOf } from '@plaza/core/host';
import { WAIT_LIMIT_MS } from '@plaza/testkit';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { signUp, signUpFields, uniqueUsername, type SignedUpUser } from '../support/builders.js';
import { eventually } from '../support/eventually.js';
import { Api } from '../support/http.js';
import { openAuthenticated } from '../support/watchSocket.js';
import {
  FAKE_CLEARBIT_API_KEY,
  startFakeClearbit,
  type FakeClearbit,
  type FakeClearbitAnswer,
} from '../fakes/fakeClearbit.js';
import {
  FAKE_HUNTER_API_KEY,
  startFakeHunter,
  type FakeHunter,
  type FakeHunterAnswer,
} from '../fakes/fakeHunter.js';

/*
 * Providers that misbehave, over real HTTP against the in-process server: Hunter during
 * sign-up (EXT_01, nothing saved) and Clearbit during enrichment (bounded retries, then the
 * error line on the user's socket, profile untouched). Every fault is one request the fakes
 * answered badly; each test logs how many it injected.
 */

interface Context {
  readonly hunter: FakeHunter;
  readonly clearbit: FakeClearbit;
  readonly target: InProcessTarget;
  readonly api: Api;
}

const test = anyTest as TestFn<Context>;

/**
 * The providers' timeouts are what the trickle and hang tests wait out, and what every answer
 * that should count must beat: a fake in this process answers within milliseconds, a few
 * hundred on a saturated machine, so these leave it ten times that and more.
 */
const HUNTER_TIMEOUT_MS = 2000;
const ENRICHMENT_TIMEOUT_MS = 1500;
const MAX_ATTEMPTS = 3;
/**
 * Upper bound for one refused sign-up: the sign-up's budget, max(10 s, 2 × the timeout).
 * Refused before it, a trickled answer was cut by the request's own timeout, not the budget.
 */
const SIGN_UP_LIMIT_MS = Math.max(10_000, 2 * HUNTER_TIMEOUT_MS);
/** Ceiling for a whole enrichment job (three tries of up to a timeout each, short backoffs). */
const NOTICE_WAIT_MS = 2 * WAIT_LIMIT_MS;

const EXT_01_BODY = {
  code: 'EXT_01',
  message: 'Cannot connect to hunter.io for socialuser email verification. Try again.',
};
const NOT_RECEIVED = 'error: cannot receive socialuser data';

test.before(async (t) => {
  const hunter = await startFakeHunter();
  const clearbit = await startFakeClearbit();
  // The target starts a Hunter fake of its own; this one replaces it to get a short timeout.
  const target = await startInProcessTarget({
    hunter: { apiKey: FAKE_HUNTER_API_KEY, baseUrl: hunter.url, timeoutMs: HUNTER_TIMEOUT_MS },
    enrichment: {
      provider: 'clearbit',
      clearbit: { apiKey: FAKE_CLEARBIT_API_KEY, baseUrl: clearbit.url },
      timeoutMs: ENRICHMENT_TIMEOUT_MS,
      maxAttempts: MAX_ATTEMPTS,
      retryBaseMs: 20,
      retryMaxMs: 50,
      pollIntervalMs: 20,
    },
  });
  t.context = { hunter, clearbit, target, api: new Api(target.baseUrl) };
});

test.after.always(async (t) => {
  await t.context.target.close();
  await t.context.hunter.close();
  await t.context.clearbit.close();
});

const hunterRequestsFor = (hunter: FakeHunter, email: string): number =>
  hunter.requests.filter((request) => request.email === email).length;

const clearbitRequestsFor = (clearbit: FakeClearbit, email: string): number =>
  clearbit.requests.filter((request) => request.email === email).length;

interface RefusedSignUp {
  /** Requests the Hunter fake answered badly for this sign-up. */
  readonly faults: number;
  readonly elapsedMs: number;
}

/**
 * One sign-up while Hunter answers `answer`: it must be refused with EXT_01 in good time,
 * and leave no user behind (the credentials do not log in, the username is still free).
 */
async function refusedSignUp(
  t: ExecutionContext<Context>,
  answer: FakeHunterAnswer,
  what: string,
): Promise<RefusedSignUp> {
  const { api, hunter } = t.context;
  const username = uniqueUsername('hunterfault');
  const email = `${username}@fault.example.com`;
  hunter.respondWith(email, answer);
  const fields = signUpFields({ username, email });

  const started = performance.now();
  const refused = await api.post('/user/data', fields);
  const elapsedMs = performance.now() - started;

  t.is(refused.status, 502, `${what}: ${refused.text}`);
  t.deepEqual(refused.body, EXT_01_BODY, what);
  t.true(elapsedMs < SIGN_UP_LIMIT_MS, `${what}: answered after ${Math.round(elapsedMs)} ms`);

  const login = await api.post('/api-token-auth/', {
    username,
    password: fields['password'] as string,
  });
  t.is(login.status, 401, `${what}: the refused credentials must not log in`);
  t.is(login.body['code'], 'AUT_02', what);

  // Taking the username with an address Hunter accepts proves no half-made user holds it.
  const retry = await api.post('/user/data', signUpFields({ username }));
  t.is(retry.status, 200, `${what}: the username was not taken by the refused sign-up`);

  return { faults: hunterRequestsFor(hunter, email), elapsedMs };
}

test('Hunter answering garbage with 200 → EXT_01 (502), nothing saved', async (t) => {
  const garbage: readonly [string, FakeHunterAnswer][] = [
    [
      'non-JSON body',
      { kind: 'text', httpStatus: 200, body: '<html><body>Welcome!</body></html>' },
    ],
    [
      'JSON without data.status',
      {
        kind: 'text',
        httpStatus: 200,
        body: JSON.stringify({ data: { result: 'deliverable', score: 99 } }),
        contentType: 'application/json; charset=utf-8',
      },
    ],
    [
      'JSON with an unknown data.status',
      {
        kind: 'text',
        httpStatus: 200,
        body: JSON.stringify({ data: { status: 'probably_fine' } }),
        contentType: 'application/json; charset=utf-8',
      },
    ],
    [
      'JSON array',
      {
        kind: 'text',
        httpStatus: 200,
        body: '[{"status":"valid"}]',
        contentType: 'application/json; charset=utf-8',
      },
    ],
  ];
  let faults = 0;
  for (const [what, answer] of garbage) {
    const refused = await refusedSignUp(t, answer, what);
    t.is(refused.faults, 1, `${what}: asked Hunter once`);
    faults += refused.faults;
  }
  t.log(`faults injected: ${faults} (Hunter 200 garbage, ${garbage.length} shapes)`);
});

test('Hunter trickling its answer past the timeout → EXT_01 (502), nothing saved', async (t) => {
  // A valid verdict, one byte every 200 ms: only a deadline that covers the body refuses it.
  const refused = await refusedSignUp(t, { kind: 'trickle', intervalMs: 200 }, 'trickle');
  t.is(refused.faults, 1);
  t.true(
    refused.elapsedMs >= HUNTER_TIMEOUT_MS / 2,
    `answered after ${Math.round(refused.elapsedMs)} ms, before the timeout could have run`,
  );
  t.log(
    `faults injected: ${refused.faults} (Hunter trickle, refused after ${Math.round(refused.elapsedMs)} ms)`,
  );
});

test('Hunter answering 503 → EXT_01 (502), nothing saved', async (t) => {
  const answers: readonly [string, FakeHunterAnswer][] = [
    ['503 JSON', { kind: 'error', httpStatus: 503 }],
    [
      '503 plain text',
      {
        kind: 'text',
        httpStatus: 503,
        body: 'Service Unavailable',
        contentType: 'text/plain; charset=utf-8',
      },
    ],
  ];
  let faults = 0;
  for (const [what, answer] of answers) {
    const refused = await refusedSignUp(t, answer, what);
    t.is(refused.faults, 1, `${what}: asked Hunter once`);
    faults += refused.faults;
  }
  t.log(`faults injected: ${faults} (Hunter 503, JSON and plain text)`);
});

const ownProfile = async (api: Api, user: SignedUpUser): Promise<Record<string, unknown>> =>
  (await api.get('/user/data', {}, { token: user.token })).body['data'] as Record<string, unknown>;

/**
 * Enrichment while Clearbit answers `answer` every time. The sign-up queues a job of its own:
 * it is let run out first (it must also stop after exactly MAX_ATTEMPTS requests), so that
 * the notice the socket gets belongs to the job the test asked for. Returns the faults.
 */
async function failedEnrichment(
  t: ExecutionContext<Context>,
  answer: FakeClearbitAnswer,
): Promise<number> {
  const { api, clearbit, target } = t.context;
  const email = `ada.${uniqueUsername('clearbitfault')}@example.com`;
  clearbit.respondWith(email, answer);
  const user = await signUp(api, { email });
  const profileAtSignUp = await ownProfile(api, user);

  const jobsOf = (): ReturnType<typeof enrichmentJobsOf> =>
    enrichmentJobsOf(target.plaza, user.userId);
  const signUpJob = await eventually(
    'the sign-up enrichment job to give up',
    async () => {
      const [newest] = await jobsOf();
      return newest?.state === 'failed' ? newest : undefined;
    },
    NOTICE_WAIT_MS,
  );
  t.is(signUpJob.attempts, MAX_ATTEMPTS, 'the sign-up job tried maxAttempts times');
  t.is(clearbitRequestsFor(clearbit, email), MAX_ATTEMPTS, 'one request per try (sign-up job)');

  const watch = await openAuthenticated(target.baseUrl, user.token, user.userId);
  try {
    const asked = await api.post('/user/request-retrieve-data', {}, { token: user.token });
    t.is(asked.status, 202, asked.text);
    t.is(await watch.next(NOTICE_WAIT_MS), NOT_RECEIVED);
  } finally {
    watch.close();
  }

  const jobs = await jobsOf();
  t.is(jobs.length, 2, 'the sign-up job and the requested one');
  t.like(jobs[0], { state: 'failed', attempts: MAX_ATTEMPTS });
  const faults = clearbitRequestsFor(clearbit, email);
  t.is(faults, 2 * MAX_ATTEMPTS, 'one request per try, no more after giving up');
  t.deepEqual(await ownProfile(api, user), profileAtSignUp, 'the profile is unchanged');
  return faults;
}

test('Clearbit answering 5xx every time → maxAttempts tries, then the error line', async (t) => {
  const serverError = await failedEnrichment(t, 'server_error');
  const badGateway = await failedEnrichment(t, {
    kind: 'text',
    httpStatus: 503,
    body: 'Service Unavailable',
    contentType: 'text/plain; charset=utf-8',
  });
  t.log(
    `faults injected: ${serverError + badGateway} (Clearbit 500 JSON: ${serverError}, 503 text: ${badGateway}; 2 jobs each)`,
  );
});

test('Clearbit answering garbage → maxAttempts tries, then the error line', async (t) => {
  const notJson = await failedEnrichment(t, {
    kind: 'text',
    httpStatus: 200,
    body: '<html><body>Welcome!</body></html>',
  });
  const array = await failedEnrichment(t, {
    kind: 'text',
    httpStatus: 200,
    body: '[{"name":{"givenName":"Mallory"}}]',
    contentType: 'application/json; charset=utf-8',
  });
  t.log(
    `faults injected: ${notJson + array} (Clearbit 200 garbage: non-JSON ${notJson}, JSON array ${array}; 2 jobs each)`,
  );
});

test('Clearbit trickling slower than the timeout → maxAttempts tries, then the error line', async (t) => {
  // The default person, one byte every 200 ms: complete, it would fill the profile.
  const faults = await failedEnrichment(t, { kind: 'trickle', intervalMs: 200 });
  t.log(`faults injected: ${faults} (Clearbit trickle; 2 jobs)`);
});

test('Clearbit never answering → maxAttempts tries, then the error line', async (t) => {
  const faults = await failedEnrichment(t, 'hang');
  t.log(`faults injected: ${faults} (Clearbit hang; 2 jobs)`);
});
