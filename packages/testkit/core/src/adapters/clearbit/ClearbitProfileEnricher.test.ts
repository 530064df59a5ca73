import { inspect } from 'node:util';

import test from 'ava';
import nock from 'nock';

import { ConfigError } from '../../errors.js';
import type { EnrichmentResult } from '../../enrichment/ProfileEnricher.js';
import {
  ClearbitProfileEnricher,
  type ClearbitProfileEnricherOptions,
} from './ClearbitProfileEnricher.js';
import { type LogCall, recordingLogger } from '@plaza/testkit';

const KEY = 'sk_c1earb1t5ecret0123456789abcdef';
const BASE = 'https://person.clearbit.com';
const PATH = '/v2/people/find';
const EMAIL = 'ada@example.com';

function enricher(overrides: Partial<ClearbitProfileEnricherOptions> = {}): {
  enricher: ClearbitProfileEnricher;
  calls: LogCall[];
} {
  const { logger, calls } = recordingLogger();
  // Far above what a mocked answer takes, even on a saturated machine: only the tests of
  // timeouts, which set their own, should ever see one run out.
  const options: ClearbitProfileEnricherOptions = {
    apiKey: KEY,
    timeoutMs: 5000,
    logger,
    ...overrides,
  };
  return { enricher: new ClearbitProfileEnricher(options), calls };
}

/** The request Clearbit should receive: the address in the query, the key as a Bearer token. */
function clearbit(email = EMAIL): nock.Interceptor {
  return nock(BASE).matchHeader('authorization', `Bearer ${KEY}`).get(PATH).query({ email });
}

function person(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'd54c54ad-40be-4305-8a34-0ab44710b90d',
    name: { fullName: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' },
    email: EMAIL,
    location: 'London, England, United Kingdom',
    timeZone: 'Europe/London',
    geo: {
      city: 'London',
      state: 'England',
      stateCode: 'ENG',
      country: 'United Kingdom',
      countryCode: 'GB',
      lat: 51.5073509,
      lng: -0.1277583,
    },
    bio: 'Analyst & metaphysician',
    site: 'https://ada.example.com',
    avatar: 'https://d1ts43dypk8bqh.cloudfront.net/v1/avatars/ada',
    employment: { name: 'Analytical Engine', title: 'Programmer' },
    github: { handle: null },
    twitter: { handle: 'ada' },
    ...overrides,
  };
}

const ADA_PROFILE = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  location: 'London, England, United Kingdom',
  city: 'London',
  state: 'England',
  country: 'United Kingdom',
  lat: 51.5073509,
  lng: -0.1277583,
  bio: 'Analyst & metaphysician',
  site: 'https://ada.example.com',
  avatar: 'https://d1ts43dypk8bqh.cloudfront.net/v1/avatars/ada',
};

function clearbitError(type: string, message = 'Something went wrong.'): Record<string, unknown> {
  return { error: { type, message } };
}

test.before(() => {
  nock.disableNetConnect();
});

test.afterEach.always(() => {
  nock.cleanAll();
});

test.after.always(() => {
  nock.enableNetConnect();
});

// --- 200 ---

test.serial('200 person → found with the mapped profile', async (t) => {
  const scope = clearbit().reply(200, person());
  t.deepEqual(await enricher().enricher.lookUp(EMAIL), { kind: 'found', profile: ADA_PROFILE });
  t.true(scope.isDone());
});

test.serial('200 person with every used field null → found with an empty profile', async (t) => {
  clearbit().reply(
    200,
    person({
      name: { fullName: null, givenName: null, familyName: null },
      location: null,
      geo: { city: null, state: null, country: null, lat: null, lng: null },
      bio: null,
      site: null,
      avatar: null,
    }),
  );
  t.deepEqual(await enricher().enricher.lookUp(EMAIL), { kind: 'found', profile: {} });
});

test.serial('200 person with name and geo null → found without those fields', async (t) => {
  clearbit().reply(200, person({ name: null, geo: null }));
  const result = await enricher().enricher.lookUp(EMAIL);
  t.deepEqual(result, {
    kind: 'found',
    profile: {
      location: ADA_PROFILE.location,
      bio: ADA_PROFILE.bio,
      site: ADA_PROFILE.site,
      avatar: ADA_PROFILE.avatar,
    },
  });
});

test.serial('200 person with unsafe values → they are dropped', async (t) => {
  clearbit().reply(
    200,
    person({ site: 'javascript:alert(1)', avatar: 'data:,x', geo: { lat: 123, lng: 500 } }),
  );
  const result = await enricher().enricher.lookUp(EMAIL);
  t.is(result.kind, 'found');
  if (result.kind !== 'found') return;
  t.is(result.profile.site, undefined);
  t.is(result.profile.avatar, undefined);
  t.is(result.profile.lat, undefined);
  t.is(result.profile.lng, undefined);
  t.is(result.profile.first_name, 'Ada');
});

test.serial('200 combined-style with person: null → not_found', async (t) => {
  clearbit().reply(200, { person: null, company: null });
  t.deepEqual(await enricher().enricher.lookUp(EMAIL), { kind: 'not_found' });
});

test.serial('200 combined-style with a person → found', async (t) => {
  clearbit().reply(200, { person: person(), company: { name: 'Analytical Engine' } });
  t.deepEqual(await enricher().enricher.lookUp(EMAIL), { kind: 'found', profile: ADA_PROFILE });
});

const garbage: ReadonlyArray<readonly [string, string]> = [
  ['not JSON', 'this is not json'],
  ['HTML', '<html><body>Hello</body></html>'],
  ['empty', ''],
  ['JSON null', 'null'],
  ['JSON array', '[1,2]'],
  ['JSON string', '"ada"'],
  ['truncated JSON', '{"name":{"givenName":"Ad'],
  ['person not an object', '{"person":"ada"}'],
  ['an object that is no person', '{"foo":1}'],
  ['a combined answer whose person has no id', '{"person":{"name":{"givenName":"Ada"}}}'],
];

for (const [label, body] of garbage) {
  test.serial(`garbage 200 body (${label}) → transient_error`, async (t) => {
    const scope = clearbit().reply(200, body, { 'Content-Type': 'application/json' });
    const result = await enricher().enricher.lookUp(EMAIL);
    t.is(result.kind, 'transient_error');
    t.true(scope.isDone());
  });
}

// --- 202 queued ---

test.serial('202 with an empty body → pending with the default wait', async (t) => {
  clearbit().reply(202, '');
  t.deepEqual(await enricher().enricher.lookUp(EMAIL), { kind: 'pending', retryAfterMs: 60_000 });
});

test.serial('202 {"error":{"type":"queued"}} → pending, never found', async (t) => {
  clearbit().reply(202, clearbitError('queued', 'Your request is queued.'));
  t.deepEqual(await enricher().enricher.lookUp(EMAIL), { kind: 'pending', retryAfterMs: 60_000 });
});

test.serial('202 → pending with the configured wait, or Retry-After', async (t) => {
  clearbit().reply(202, '');
  t.deepEqual(await enricher({ pendingRetryMs: 1234 }).enricher.lookUp(EMAIL), {
    kind: 'pending',
    retryAfterMs: 1234,
  });
  clearbit().reply(202, '', { 'Retry-After': '7' });
  t.deepEqual(await enricher({ pendingRetryMs: 1234 }).enricher.lookUp(EMAIL), {
    kind: 'pending',
    retryAfterMs: 7000,
  });
});

test.serial('202 then 200 later → pending, then found', async (t) => {
  const scope = clearbit()
    .reply(202, clearbitError('queued'))
    .matchHeader('authorization', `Bearer ${KEY}`)
    .get(PATH)
    .query({ email: EMAIL })
    .reply(200, person());
  const { enricher: e } = enricher();
  t.is((await e.lookUp(EMAIL)).kind, 'pending');
  t.deepEqual(await e.lookUp(EMAIL), { kind: 'found', profile: ADA_PROFILE });
  t.true(scope.isDone());
});

// --- error statuses ---

const statuses: ReadonlyArray<
  readonly [string, number, string | Record<string, unknown>, EnrichmentResult]
> = [
  ['404 unknown_record', 404, clearbitError('unknown_record'), { kind: 'not_found' }],
  ['404 message only', 404, { message: 'Resource not found' }, { kind: 'not_found' }],
  ['422 invalid email', 422, clearbitError('email_invalid'), { kind: 'invalid_input' }],
  ['401 auth_required', 401, clearbitError('auth_required'), { kind: 'auth_error' }],
  ['401 invalid_api_key', 401, clearbitError('invalid_api_key'), { kind: 'auth_error' }],
  ['402 over quota', 402, clearbitError('payment_required'), { kind: 'quota_exhausted' }],
  ['429 without headers', 429, clearbitError('rate_limit'), { kind: 'rate_limited' }],
  ['legacy 400 rate_limit', 400, clearbitError('rate_limit'), { kind: 'rate_limited' }],
  ['other 400', 400, clearbitError('invalid_params'), { kind: 'invalid_input' }],
  ['400 without a body', 400, '', { kind: 'invalid_input' }],
  ['451', 451, clearbitError('unavailable_for_legal_reasons'), { kind: 'legal_block' }],
];

for (const [label, status, body, expected] of statuses) {
  test.serial(`${label} → ${expected.kind}`, async (t) => {
    const scope = clearbit().reply(status, body);
    t.deepEqual(await enricher().enricher.lookUp(EMAIL), expected);
    t.true(scope.isDone());
  });
}

const failures: ReadonlyArray<readonly [string, number, string | Record<string, unknown>]> = [
  ['500 JSON', 500, clearbitError('api_error', 'Internal error')],
  ['502 plain text', 502, 'Bad Gateway'],
  ['503 HTML', 503, '<html><body>Service Unavailable</body></html>'],
  ['an undocumented 418', 418, 'teapot'],
];

for (const [label, status, body] of failures) {
  test.serial(`${label} → transient_error with the status`, async (t) => {
    clearbit().reply(status, body);
    const { enricher: e, calls } = enricher();
    const result = await e.lookUp(EMAIL);
    t.is(result.kind, 'transient_error');
    if (result.kind === 'transient_error') t.true(result.reason.includes(String(status)));
    t.is(calls.at(-1)?.level, 'warn');
  });
}

// --- rate-limit waits ---

test.serial('429 Retry-After in seconds → retryAfterMs', async (t) => {
  clearbit().reply(429, clearbitError('rate_limit'), { 'Retry-After': '30' });
  t.deepEqual(await enricher().enricher.lookUp(EMAIL), {
    kind: 'rate_limited',
    retryAfterMs: 30_000,
  });
});

test.serial('429 Retry-After as an HTTP date → retryAfterMs from now', async (t) => {
  const at = new Date(Date.now() + 120_000).toUTCString();
  clearbit().reply(429, clearbitError('rate_limit'), { 'Retry-After': at });
  const result = await enricher().enricher.lookUp(EMAIL);
  t.is(result.kind, 'rate_limited');
  const wait = result.kind === 'rate_limited' ? (result.retryAfterMs ?? -1) : -1;
  // HTTP dates have whole seconds; allow for that and a slow test machine.
  t.true(wait > 100_000 && wait <= 120_000, `waited ${wait}`);
});

test.serial('429 X-RateLimit-Reset (epoch seconds) → retryAfterMs from now', async (t) => {
  const reset = Math.floor(Date.now() / 1000) + 60;
  clearbit().reply(429, clearbitError('rate_limit'), {
    'X-RateLimit-Limit': '600',
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': String(reset),
  });
  const result = await enricher().enricher.lookUp(EMAIL);
  t.is(result.kind, 'rate_limited');
  const wait = result.kind === 'rate_limited' ? (result.retryAfterMs ?? -1) : -1;
  t.true(wait > 40_000 && wait <= 60_000, `waited ${wait}`);
});

test.serial('legacy 400 rate_limit uses X-RateLimit-Reset too', async (t) => {
  const reset = Math.floor(Date.now() / 1000) + 10;
  clearbit().reply(400, clearbitError('rate_limit'), { 'X-RateLimit-Reset': String(reset) });
  const result = await enricher().enricher.lookUp(EMAIL);
  t.is(result.kind, 'rate_limited');
  t.true(result.kind === 'rate_limited' && (result.retryAfterMs ?? -1) > 0);
});

// --- no answer ---

test.serial('a response that never comes → transient_error within the timeout', async (t) => {
  clearbit().delay(3000).reply(200, person());
  const started = Date.now();
  const result = await enricher({ timeoutMs: 100 }).enricher.lookUp(EMAIL);
  t.is(result.kind, 'transient_error');
  t.true(Date.now() - started < 3000, 'cut by the timeout, before the answer due at 3 s');
});

test.serial('a body that never finishes → transient_error within the timeout', async (t) => {
  clearbit().delayBody(3000).reply(200, person());
  const started = Date.now();
  const result = await enricher({ timeoutMs: 100 }).enricher.lookUp(EMAIL);
  t.is(result.kind, 'transient_error');
  t.true(Date.now() - started < 3000, 'cut by the timeout, before the answer due at 3 s');
});

test.serial('a network error → transient_error', async (t) => {
  clearbit().replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
  const result = await enricher().enricher.lookUp(EMAIL);
  t.is(result.kind, 'transient_error');
});

// --- the key never leaks ---

const leakScenarios: ReadonlyArray<
  readonly [string, () => Partial<ClearbitProfileEnricherOptions> | undefined]
> = [
  ['200 found', () => void clearbit().reply(200, person())],
  ['200 whose bio is the key', () => void clearbit().reply(200, person({ bio: KEY }))],
  [
    '401 whose body echoes the key',
    () => void clearbit().reply(401, clearbitError(KEY, `Bad key ${KEY}`)),
  ],
  [
    '502 text quoting the key',
    () => void clearbit().reply(502, `upstream failed for Bearer ${KEY}`),
  ],
  ['a network error quoting the key', () => void clearbit().replyWithError(`ECONNREFUSED ${KEY}`)],
  ['no interceptor: nock refuses the connection', () => undefined],
  [
    'a timeout',
    () => {
      clearbit().delay(3000).reply(200, person());
      return { timeoutMs: 100 };
    },
  ],
  [
    'an injected fetch whose error quotes the headers',
    () => ({
      fetch: (_input: string | URL | Request, init?: RequestInit) =>
        Promise.reject(new TypeError(`Failed with ${inspect(init?.headers)} ${KEY}`)),
    }),
  ],
];

for (const [label, arrange] of leakScenarios) {
  test.serial(`the api key appears in no result or log line: ${label}`, async (t) => {
    const overrides = arrange() ?? {};
    const { enricher: e, calls } = enricher(overrides);
    // lookUp never throws for a provider answer; if it did, ava would fail this test.
    const value = await e.lookUp(EMAIL);
    t.true(calls.length > 0, 'the answers were logged');
    const dumped = [
      inspect(value, { depth: Infinity, showHidden: true }),
      JSON.stringify(value),
      inspect(calls, { depth: Infinity, showHidden: true }),
      JSON.stringify(calls),
      inspect(e, { depth: Infinity, showHidden: true }),
    ].join('\n');
    t.false(dumped.includes(KEY), 'the key is absent');
    t.false(dumped.includes(encodeURIComponent(KEY)), 'the encoded key is absent');
    t.false(dumped.includes('Bearer'), 'no Authorization header is quoted');
  });
}

// --- configuration ---

test.serial('requests go to baseUrl/v2/people/find with the Bearer key', async (t) => {
  const scope = nock('http://127.0.0.1:9999')
    .matchHeader('authorization', `Bearer ${KEY}`)
    .get('/clearbit/v2/people/find')
    .query({ email: 'a+b@example.com' })
    .reply(200, person());
  const { enricher: e } = enricher({ baseUrl: 'http://127.0.0.1:9999/clearbit/' });
  t.is((await e.lookUp('a+b@example.com')).kind, 'found');
  t.true(scope.isDone());
});

test.serial('an injected fetch is used instead of the global one', async (t) => {
  const seen: Array<{ url: string; authorization: string | null }> = [];
  const fake = ((input: string | URL | Request, init?: RequestInit) => {
    seen.push({
      url: input instanceof Request ? input.url : input.toString(),
      authorization: new Headers(init?.headers).get('authorization'),
    });
    return Promise.resolve(new Response(JSON.stringify(person()), { status: 200 }));
  }) as typeof fetch;
  const { enricher: e } = enricher({ fetch: fake });
  t.deepEqual(await e.lookUp(EMAIL), { kind: 'found', profile: ADA_PROFILE });
  t.is(seen.length, 1);
  const url = new URL(seen[0]?.url ?? '');
  t.is(`${url.origin}${url.pathname}`, `${BASE}${PATH}`);
  t.is(url.searchParams.get('email'), EMAIL);
  t.is(seen[0]?.authorization, `Bearer ${KEY}`);
});

test.serial('the enricher is named clearbit', (t) => {
  t.is(enricher().enricher.name, 'clearbit');
});

test.serial(
  'an empty api key or a bad baseUrl is a ConfigError that does not quote the key',
  (t) => {
    t.throws(() => new ClearbitProfileEnricher({ apiKey: '' }), { instanceOf: ConfigError });
    t.throws(() => new ClearbitProfileEnricher({ apiKey: '  ' }), { instanceOf: ConfigError });
    for (const baseUrl of ['not a url', 'ftp://person.clearbit.com', 'javascript:alert(1)']) {
      const error = t.throws(() => new ClearbitProfileEnricher({ apiKey: KEY, baseUrl }), {
        instanceOf: ConfigError,
      });
      t.false(inspect(error, { showHidden: true }).includes(KEY));
    }
    t.throws(() => new ClearbitProfileEnricher({ apiKey: KEY, timeoutMs: 0 }), {
      instanceOf: ConfigError,
    });
    t.throws(() => new ClearbitProfileEnricher({ apiKey: KEY, pendingRetryMs: -1 }), {
      instanceOf: ConfigError,
    });
  },
);
