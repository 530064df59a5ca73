import test, { type ExecutionContext } from 'ava';
import { eventually } from '../support/eventually.js';
import { WAIT_MS, withTimeout } from '../support/watchSocket.js';
import {
  COMBINED_PATH,
  expectedFakeClearbitProfile,
  FAKE_CLEARBIT_API_KEY,
  fakeClearbitPerson,
  PEOPLE_PATH,
  startFakeClearbit,
  type FakeClearbit,
  type FakeClearbitAnswer,
} from './fakeClearbit.js';

const ADA = 'ada.lovelace@example.com';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

/** Starts a fake for one test and closes it when the test ends. */
async function fake(t: ExecutionContext): Promise<FakeClearbit> {
  const clearbit = await startFakeClearbit();
  t.teardown(() => clearbit.close());
  return clearbit;
}

async function find(
  clearbit: FakeClearbit,
  email: string | null,
  options: { path?: string; authorization?: string | null } = {},
): Promise<Answer> {
  const query = email === null ? '' : `?${new URLSearchParams({ email }).toString()}`;
  const authorization =
    options.authorization === undefined ? `Bearer ${clearbit.apiKey}` : options.authorization;
  const response = await fetch(`${clearbit.url}${options.path ?? PEOPLE_PATH}${query}`, {
    headers: authorization === null ? {} : { authorization },
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

async function scripted(t: ExecutionContext, answer: FakeClearbitAnswer): Promise<Answer> {
  const clearbit = await fake(t);
  clearbit.respondWith(ADA, answer);
  return find(clearbit, ADA);
}

// --- default rules ---

test('by default a person is derived from the address', async (t) => {
  const clearbit = await fake(t);
  const answer = await find(clearbit, ADA);
  t.is(answer.status, 200);
  t.regex(answer.headers.get('content-type') ?? '', /application\/json/);
  const person = answer.json as Record<string, unknown>;
  t.like(person, {
    name: { fullName: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' },
    email: ADA,
    location: 'London, England, GB',
    geo: { city: 'London', state: 'England', country: 'GB', lat: 51.5074, lng: -0.1278 },
    site: 'https://example.com/~ada.lovelace',
    avatar: 'https://example.com/avatars/ada.lovelace.png',
  });
  t.is(typeof person['id'], 'string');
  t.is(typeof person['bio'], 'string');
  t.deepEqual(person, fakeClearbitPerson(ADA) as unknown as Record<string, unknown>);
  // Deterministic: the same address gives the same person.
  t.deepEqual((await find(clearbit, ADA)).json, person);
});

test('expectedFakeClearbitProfile matches the default person, read as Plaza reads it', async (t) => {
  const clearbit = await fake(t);
  const person = (await find(clearbit, ADA)).json as {
    name: Record<string, string>;
    geo: Record<string, string>;
  } & Record<string, unknown>;
  const expected = expectedFakeClearbitProfile(ADA);
  t.deepEqual(expected, {
    first_name: 'Ada',
    last_name: 'Lovelace',
    location: 'London, England, GB',
    city: 'London',
    state: 'England',
    country: 'GB',
    lat: 51.5074,
    lng: -0.1278,
    bio: person['bio'] as string,
    site: 'https://example.com/~ada.lovelace',
    avatar: 'https://example.com/avatars/ada.lovelace.png',
  });
  t.is(expected.first_name, person.name['givenName']);
  t.is(expected.city, person.geo['city']);
  // Case does not matter; a one-part local part has no family name.
  t.deepEqual(expectedFakeClearbitProfile('Ada.Lovelace@Example.com'), expected);
  const grace = expectedFakeClearbitProfile('grace@example.com');
  t.is(grace.first_name, 'Grace');
  t.false('last_name' in grace);
  t.is(expectedFakeClearbitProfile('ada.de.morgan@example.com').last_name, 'De Morgan');
});

test('by default nobody* → 404 unknown_record', async (t) => {
  const answer = await find(await fake(t), 'nobody.home@example.com');
  t.is(answer.status, 404);
  t.like(answer.json, { error: { type: 'unknown_record' } });
});

test('by default role addresses and malformed addresses → 422', async (t) => {
  const clearbit = await fake(t);
  for (const email of ['info@example.com', 'ADMIN@example.com', 'no-at-sign', 'ada@', '']) {
    const answer = await find(clearbit, email);
    t.is(answer.status, 422, email);
    t.like(answer.json, { error: { type: 'email_invalid' } }, email);
  }
  t.is((await find(clearbit, null)).status, 422);
});

test('by default slow* → 202 once, then 200 with the person', async (t) => {
  const clearbit = await fake(t);
  const email = 'slow.poke@example.com';
  const first = await find(clearbit, email);
  t.is(first.status, 202);
  t.is(first.text, '');
  const second = await find(clearbit, email);
  t.is(second.status, 200);
  t.like(second.json, { name: { givenName: 'Slow', familyName: 'Poke' } });
  // Counted per address.
  t.is((await find(clearbit, 'slow.coach@example.com')).status, 202);
});

// --- keys and recorded requests ---

test('Bearer and HTTP Basic keys are accepted; requests record email and authorized only', async (t) => {
  const clearbit = await fake(t);
  t.is(clearbit.apiKey, FAKE_CLEARBIT_API_KEY);
  const basic = `Basic ${Buffer.from(`${clearbit.apiKey}:`).toString('base64')}`;
  t.is((await find(clearbit, ADA, { authorization: basic })).status, 200);
  t.is((await find(clearbit, ADA)).status, 200);

  const missing = await find(clearbit, 'b@example.com', { authorization: null });
  t.is(missing.status, 401);
  t.like(missing.json, { error: { type: 'auth_required' } });
  const wrong = await find(clearbit, 'c@example.com', { authorization: 'Bearer sk_wrong_key' });
  t.is(wrong.status, 401);
  t.like(wrong.json, { error: { type: 'invalid_api_key' } });
  const rawKey = await find(clearbit, 'd@example.com', { authorization: clearbit.apiKey });
  t.is(rawKey.status, 401);

  t.deepEqual(clearbit.requests, [
    { path: PEOPLE_PATH, email: ADA, authorized: true, auth: 'basic' },
    { path: PEOPLE_PATH, email: ADA, authorized: true, auth: 'bearer' },
    { path: PEOPLE_PATH, email: 'b@example.com', authorized: false, auth: 'none' },
    { path: PEOPLE_PATH, email: 'c@example.com', authorized: false, auth: 'bearer' },
    { path: PEOPLE_PATH, email: 'd@example.com', authorized: false, auth: 'other' },
  ]);
  const recorded = JSON.stringify(clearbit.requests);
  t.false(recorded.includes(clearbit.apiKey));
  t.false(recorded.includes('sk_wrong_key'));

  clearbit.reset();
  t.deepEqual(clearbit.requests, []);
});

test('a custom key can be chosen', async (t) => {
  const clearbit = await startFakeClearbit({ apiKey: 'sk_custom' });
  t.teardown(() => clearbit.close());
  t.is(clearbit.apiKey, 'sk_custom');
  t.is((await find(clearbit, ADA, { authorization: 'Bearer sk_custom' })).status, 200);
  t.is(
    (await find(clearbit, ADA, { authorization: `Bearer ${FAKE_CLEARBIT_API_KEY}` })).status,
    401,
  );
});

test('unknown routes → 404 and are not recorded', async (t) => {
  const clearbit = await fake(t);
  t.is((await find(clearbit, ADA, { path: '/v1/people/email' })).status, 404);
  t.deepEqual(clearbit.requests, []);
});

// --- combined ---

test('/v2/combined/find wraps the person; no_person gives person: null', async (t) => {
  const clearbit = await fake(t);
  const combined = await find(clearbit, ADA, { path: COMBINED_PATH });
  t.is(combined.status, 200);
  t.deepEqual(combined.json, { person: fakeClearbitPerson(ADA), company: null });
  t.is(clearbit.requests[0]?.path, COMBINED_PATH);

  clearbit.respondWith(ADA, 'no_person');
  t.deepEqual((await find(clearbit, ADA)).json, { person: null, company: null });
  t.deepEqual((await find(clearbit, ADA, { path: COMBINED_PATH })).json, {
    person: null,
    company: null,
  });
});

// --- scripted answers ---

test('a scripted person is merged over the default one, nulls included', async (t) => {
  const answer = await scripted(t, {
    kind: 'person',
    person: { bio: null, geo: null, site: 'https://ada.example.org' },
  });
  t.is(answer.status, 200);
  t.like(answer.json, {
    bio: null,
    geo: null,
    site: 'https://ada.example.org',
    name: { givenName: 'Ada' },
  });
});

test('scripted answers match addresses case-insensitively and beat respondToAll', async (t) => {
  const clearbit = await fake(t);
  clearbit.respondToAll('over_quota');
  clearbit.respondWith('ADA.Lovelace@example.com', 'not_found');
  t.is((await find(clearbit, ADA)).status, 404);
  const other = await find(clearbit, 'grace@example.com');
  t.is(other.status, 402);
  t.like(other.json, { error: { type: 'payment_required' } });
  clearbit.respondToAll(null);
  t.is((await find(clearbit, 'grace@example.com')).status, 200);
});

test('queued: 202 with an empty body or the queued envelope, N times, then the later answer', async (t) => {
  const clearbit = await fake(t);
  clearbit.respondWith(ADA, { kind: 'queued', times: 2, body: 'json', then: 'no_person' });
  for (let i = 0; i < 2; i += 1) {
    const queued = await find(clearbit, ADA);
    t.is(queued.status, 202);
    t.like(queued.json, { error: { type: 'queued' } });
  }
  t.deepEqual((await find(clearbit, ADA)).json, { person: null, company: null });

  clearbit.respondWith('grace@example.com', { kind: 'queued', retryAfter: 7 });
  const empty = await find(clearbit, 'grace@example.com');
  t.is(empty.status, 202);
  t.is(empty.text, '');
  t.is(empty.headers.get('retry-after'), '7');
  t.is((await find(clearbit, 'grace@example.com')).status, 200);

  // Scripting again restarts the count.
  clearbit.respondWith('grace@example.com', 'queued');
  t.is((await find(clearbit, 'grace@example.com')).status, 202);
});

test('404 in both shapes', async (t) => {
  const record = await scripted(t, 'not_found');
  t.is(record.status, 404);
  t.like(record.json, { error: { type: 'unknown_record' } });
  t.is(typeof (record.json as { error: { message: unknown } }).error.message, 'string');
  const message = await scripted(t, { kind: 'not_found', shape: 'message' });
  t.is(message.status, 404);
  t.deepEqual(message.json, { message: 'Resource not found' });
});

test('422 invalid email and 402 over quota', async (t) => {
  const invalid = await scripted(t, 'invalid_email');
  t.is(invalid.status, 422);
  t.like(invalid.json, { error: { type: 'email_invalid' } });
  const quota = await scripted(t, 'over_quota');
  t.is(quota.status, 402);
  t.like(quota.json, { error: { type: 'payment_required' } });
});

test('429 rate_limit with X-RateLimit headers, Reset in epoch seconds, no Retry-After', async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const answer = await scripted(t, 'rate_limited');
  // Computed while the fake answered, which was between these two readings of the clock.
  const after = Math.floor(Date.now() / 1000);
  t.is(answer.status, 429);
  t.like(answer.json, { error: { type: 'rate_limit' } });
  t.is(answer.headers.get('x-ratelimit-limit'), '600');
  t.is(answer.headers.get('x-ratelimit-remaining'), '0');
  const reset = Number(answer.headers.get('x-ratelimit-reset'));
  t.true(reset >= before + 60 && reset <= after + 60, String(reset));
  t.is(answer.headers.get('retry-after'), null);
});

test('429 with Retry-After, custom limits, or no headers; legacy 400 rate_limit', async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const custom = await scripted(t, {
    kind: 'rate_limit',
    limit: 100,
    remaining: 3,
    resetInSeconds: 5,
    retryAfter: 2,
  });
  const after = Math.floor(Date.now() / 1000);
  t.is(custom.status, 429);
  t.is(custom.headers.get('retry-after'), '2');
  t.is(custom.headers.get('x-ratelimit-limit'), '100');
  t.is(custom.headers.get('x-ratelimit-remaining'), '3');
  const reset = Number(custom.headers.get('x-ratelimit-reset'));
  t.true(reset >= before + 5 && reset <= after + 5, String(reset));

  const bare = await scripted(t, { kind: 'rate_limit', rateLimitHeaders: false });
  t.is(bare.status, 429);
  t.is(bare.headers.get('x-ratelimit-reset'), null);

  const legacy = await scripted(t, { kind: 'rate_limit', httpStatus: 400 });
  t.is(legacy.status, 400);
  t.like(legacy.json, { error: { type: 'rate_limit' } });
  t.truthy(legacy.headers.get('x-ratelimit-reset'));
});

test('5xx as JSON and as plain text; any error envelope; garbage 200', async (t) => {
  const json = await scripted(t, 'server_error');
  t.is(json.status, 500);
  t.like(json.json, { error: { type: 'api_error' } });

  const gateway = await scripted(t, 'bad_gateway');
  t.is(gateway.status, 502);
  t.is(gateway.text, 'Bad Gateway');
  t.regex(gateway.headers.get('content-type') ?? '', /text\/plain/);

  const custom = await scripted(t, {
    kind: 'error',
    httpStatus: 503,
    type: 'maintenance',
    message: 'Back soon',
    headers: { 'retry-after': '30' },
  });
  t.is(custom.status, 503);
  t.deepEqual(custom.json, { error: { type: 'maintenance', message: 'Back soon' } });
  t.is(custom.headers.get('retry-after'), '30');

  const legal = await scripted(t, { kind: 'error', httpStatus: 451 });
  t.like(legal.json, { error: { type: 'unavailable_for_legal_reasons' } });

  const garbage = await scripted(t, {
    kind: 'text',
    httpStatus: 200,
    body: '{"name":{"givenName":"Ad',
    contentType: 'application/json',
  });
  t.is(garbage.status, 200);
  t.is(garbage.text, '{"name":{"givenName":"Ad');
});

test('setDown: every request gets 503 "Clearbit is down" until setDown(false)', async (t) => {
  const clearbit = await fake(t);
  clearbit.setDown(true);
  for (const answer of [
    await find(clearbit, ADA),
    await find(clearbit, ADA, { authorization: null }),
    await find(clearbit, ADA, { path: COMBINED_PATH }),
  ]) {
    t.is(answer.status, 503);
    t.is(answer.text, 'Clearbit is down');
  }
  t.is(clearbit.requests.length, 3);
  clearbit.setDown(false);
  t.is((await find(clearbit, ADA)).status, 200);
  clearbit.setDown(true);
  clearbit.reset();
  t.is((await find(clearbit, ADA)).status, 200);
});

// --- hang and close ---

/**
 * "Promptly": well before Node's 5 s keep-alive timeout, which would end an idle connection
 * on its own, and with room for a saturated machine.
 */
const PROMPTLY_MS = 4000;

test('hang: no answer comes; close() ends the request and resolves promptly', async (t) => {
  const clearbit = await startFakeClearbit();
  t.teardown(() => clearbit.close());
  clearbit.respondWith(ADA, 'hang');
  const pending = find(clearbit, ADA);
  let settled = false;
  const outcome = pending.then(
    () => 'answered',
    () => 'failed',
  );
  void outcome.then(() => {
    settled = true;
  });

  // Wait (bounded) until the fake has the request, then a little longer.
  await eventually('the fake to have the request', () =>
    clearbit.requests.length > 0 ? true : undefined,
  );
  t.is(clearbit.requests.length, 1);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.false(settled, 'a hanging request must not be answered');

  const started = Date.now();
  await withTimeout(clearbit.close(), WAIT_MS, 'close()');
  t.true(Date.now() - started < PROMPTLY_MS);
  t.is(await withTimeout(outcome, WAIT_MS, 'the hanging request'), 'failed');
});

test('close() with no open requests resolves promptly', async (t) => {
  const clearbit = await startFakeClearbit();
  t.teardown(() => clearbit.close());
  t.is((await find(clearbit, ADA)).status, 200);
  await withTimeout(clearbit.close(), PROMPTLY_MS, 'close()');
  await withTimeout(clearbit.close(), PROMPTLY_MS, 'a second close()');
  await t.throwsAsync(find(clearbit, ADA));
});
