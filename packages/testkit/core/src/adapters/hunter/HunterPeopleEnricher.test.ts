import { inspect } from 'node:util';

import test from 'ava';
import nock from 'nock';

import { ConfigError } from '../../errors.js';
import type { EnrichmentResult } from '../../enrichment/ProfileEnricher.js';
import { HunterPeopleEnricher, type HunterPeopleEnricherOptions } from './HunterPeopleEnricher.js';
import { type LogCall, recordingLogger } from '@plaza/testkit';

// Shaped like a real Hunter key (40 hex characters, starting with a letter).
const KEY = 'deadbeef5ecret0123456789abcdef0123456789';
const BASE = 'https://api.hunter.io';
const PATH = '/v2/people/find';
const EMAIL = 'ada@example.com';

function enricher(overrides: Partial<HunterPeopleEnricherOptions> = {}): {
  enricher: HunterPeopleEnricher;
  calls: LogCall[];
} {
  const { logger, calls } = recordingLogger();
  // Far above what a mocked answer takes, even on a saturated machine: only the tests of
  // timeouts, which set their own, should ever see one run out.
  const options: HunterPeopleEnricherOptions = {
    apiKey: KEY,
    timeoutMs: 5000,
    logger,
    ...overrides,
  };
  return { enricher: new HunterPeopleEnricher(options), calls };
}

/** The request Hunter should receive, with the key and the address in the query. */
function hunter(email = EMAIL): nock.Interceptor {
  return nock(BASE).get(PATH).query({ email, api_key: KEY });
}

function envelope(data: Record<string, unknown> | null): Record<string, unknown> {
  return { data, meta: { email: EMAIL } };
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
      country: 'United Kingdom',
      lat: 51.5073509,
      lng: -0.1277583,
    },
    bio: null,
    site: 'https://ada.example.com',
    avatar: null,
    employment: { domain: 'example.com', name: 'Example', title: null },
    ...overrides,
  };
}

function errors(
  id: string,
  code: number,
  details = 'Something went wrong.',
): Record<string, unknown> {
  return { errors: [{ id, code, details }] };
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

test.serial('200 with a Clearbit-shaped person under data → found', async (t) => {
  const scope = hunter().reply(200, envelope(person()));
  t.deepEqual(await enricher().enricher.lookUp(EMAIL), {
    kind: 'found',
    profile: {
      first_name: 'Ada',
      last_name: 'Lovelace',
      location: 'London, England, United Kingdom',
      city: 'London',
      state: 'England',
      country: 'United Kingdom',
      lat: 51.5073509,
      lng: -0.1277583,
      site: 'https://ada.example.com',
    },
  });
  t.true(scope.isDone());
});

test.serial('200 with data: null → not_found', async (t) => {
  hunter().reply(200, envelope(null));
  t.deepEqual(await enricher().enricher.lookUp(EMAIL), { kind: 'not_found' });
});

const garbage: ReadonlyArray<readonly [string, string]> = [
  ['not JSON', 'this is not json'],
  ['empty', ''],
  ['JSON null', 'null'],
  ['no data', '{"meta":{}}'],
  ['data not an object', '{"data":"ada"}'],
  ['data an array', '{"data":[]}'],
  ['truncated JSON', '{"data":{"name":'],
];

for (const [label, body] of garbage) {
  test.serial(`garbage 200 body (${label}) → transient_error`, async (t) => {
    hunter().reply(200, body, { 'Content-Type': 'application/json' });
    t.is((await enricher().enricher.lookUp(EMAIL)).kind, 'transient_error');
  });
}

// --- error statuses ---

const statuses: ReadonlyArray<
  readonly [string, number, string | Record<string, unknown>, EnrichmentResult]
> = [
  ['404', 404, errors('not_found', 404), { kind: 'not_found' }],
  ['400 wrong_params', 400, errors('wrong_params', 400), { kind: 'invalid_input' }],
  ['400 invalid_email', 400, errors('invalid_email', 400), { kind: 'invalid_input' }],
  ['401', 401, errors('authentication_failed', 401), { kind: 'auth_error' }],
  ['403', 403, errors('too_many_requests', 403), { kind: 'rate_limited' }],
  ['429', 429, errors('too_many_requests', 429), { kind: 'rate_limited' }],
  ['451', 451, errors('claimed_email', 451), { kind: 'legal_block' }],
];

for (const [label, status, body, expected] of statuses) {
  test.serial(`${label} → ${expected.kind}`, async (t) => {
    const scope = hunter().reply(status, body);
    t.deepEqual(await enricher().enricher.lookUp(EMAIL), expected);
    t.true(scope.isDone());
  });
}

test.serial('429 with Retry-After → rate_limited with the wait', async (t) => {
  hunter().reply(429, errors('too_many_requests', 429), { 'Retry-After': '2' });
  t.deepEqual(await enricher().enricher.lookUp(EMAIL), {
    kind: 'rate_limited',
    retryAfterMs: 2000,
  });
});

test.serial('202 → pending, never found', async (t) => {
  hunter().reply(202, envelope(person()));
  t.deepEqual(await enricher({ pendingRetryMs: 5000 }).enricher.lookUp(EMAIL), {
    kind: 'pending',
    retryAfterMs: 5000,
  });
});

for (const [label, status, body] of [
  ['500 JSON', 500, errors('internal_error', 500)],
  ['502 plain text', 502, 'Bad Gateway'],
] as const) {
  test.serial(`${label} → transient_error`, async (t) => {
    hunter().reply(status, body);
    const result = await enricher().enricher.lookUp(EMAIL);
    t.is(result.kind, 'transient_error');
    if (result.kind === 'transient_error') t.true(result.reason.includes(String(status)));
  });
}

test.serial('a response that never comes → transient_error within the timeout', async (t) => {
  hunter().delay(3000).reply(200, envelope(person()));
  const started = Date.now();
  const result = await enricher({ timeoutMs: 100 }).enricher.lookUp(EMAIL);
  t.is(result.kind, 'transient_error');
  t.true(Date.now() - started < 3000, 'cut by the timeout, before the answer due at 3 s');
});

test.serial('a network error → transient_error', async (t) => {
  hunter().replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
  t.is((await enricher().enricher.lookUp(EMAIL)).kind, 'transient_error');
});

// --- the key never leaks ---

const leakScenarios: ReadonlyArray<
  readonly [string, () => Partial<HunterPeopleEnricherOptions> | undefined]
> = [
  ['200 found', () => void hunter().reply(200, envelope(person()))],
  ['200 whose bio is the key', () => void hunter().reply(200, envelope(person({ bio: KEY })))],
  [
    '401 whose body echoes the key',
    () => void hunter().reply(401, errors(KEY, 401, `Unknown key ${KEY}`)),
  ],
  [
    '502 text quoting the URL',
    () =>
      void hunter().reply(502, `upstream failed for ${BASE}${PATH}?email=${EMAIL}&api_key=${KEY}`),
  ],
  [
    'a network error quoting the URL',
    () => void hunter().replyWithError(`connect ECONNREFUSED ${BASE}${PATH}?api_key=${KEY}`),
  ],
  // nock's own error for an unmatched request quotes the full URL, key included.
  ['no interceptor: nock refuses the connection', () => undefined],
  [
    'a timeout',
    () => {
      hunter().delay(3000).reply(200, envelope(person()));
      return { timeoutMs: 100 };
    },
  ],
  [
    'an injected fetch whose error quotes the URL',
    () => ({
      fetch: (input: string | URL | Request) =>
        Promise.reject(
          Object.assign(
            new TypeError(
              `Failed to parse URL from ${input instanceof Request ? input.url : input.toString()}`,
            ),
            // A code that looks like a key must not pass as an error code either.
            { code: KEY.toUpperCase() },
          ),
        ),
    }),
  ],
];

for (const [label, arrange] of leakScenarios) {
  test.serial(`the api key appears in no result or log line: ${label}`, async (t) => {
    const overrides = arrange() ?? {};
    const { enricher: e, calls } = enricher(overrides);
    // lookUp never throws for a provider answer; if it did, ava would fail this test.
    const value = await e.lookUp(EMAIL);
    t.true(calls.length > 0, 'the answer was logged');
    const dumped = [
      inspect(value, { depth: Infinity, showHidden: true }),
      JSON.stringify(value),
      inspect(calls, { depth: Infinity, showHidden: true }),
      JSON.stringify(calls),
      inspect(e, { depth: Infinity, showHidden: true }),
    ]
      .join('\n')
      .toLowerCase();
    t.false(dumped.includes(KEY), 'the key is absent');
    t.false(dumped.includes('api_key'), 'no URL query is quoted');
  });
}

// --- configuration ---

test.serial('requests go to baseUrl/v2/people/find with email and api_key', async (t) => {
  const scope = nock('http://127.0.0.1:9999')
    .get('/hunter/v2/people/find')
    .query({ email: 'a+b@example.com', api_key: KEY })
    .reply(200, envelope(person()));
  const { enricher: e } = enricher({ baseUrl: 'http://127.0.0.1:9999/hunter/' });
  t.is((await e.lookUp('a+b@example.com')).kind, 'found');
  t.true(scope.isDone());
});

test.serial('an injected fetch is used instead of the global one', async (t) => {
  const urls: string[] = [];
  const fake = ((input: string | URL | Request) => {
    urls.push(input instanceof Request ? input.url : input.toString());
    return Promise.resolve(new Response(JSON.stringify(envelope(null)), { status: 200 }));
  }) as typeof fetch;
  const { enricher: e } = enricher({ fetch: fake });
  t.deepEqual(await e.lookUp(EMAIL), { kind: 'not_found' });
  t.is(urls.length, 1);
  const url = new URL(urls[0] ?? '');
  t.is(`${url.origin}${url.pathname}`, `${BASE}${PATH}`);
  t.is(url.searchParams.get('email'), EMAIL);
  t.is(url.searchParams.get('api_key'), KEY);
});

test.serial('the enricher is named hunter', (t) => {
  t.is(enricher().enricher.name, 'hunter');
});

test.serial('an empty api key or a bad baseUrl is a ConfigError', (t) => {
  t.throws(() => new HunterPeopleEnricher({ apiKey: '' }), { instanceOf: ConfigError });
  t.throws(() => new HunterPeopleEnricher({ apiKey: ' ' }), { instanceOf: ConfigError });
  t.throws(() => new HunterPeopleEnricher({ apiKey: KEY, baseUrl: 'not a url' }), {
    instanceOf: ConfigError,
  });
  t.throws(() => new HunterPeopleEnricher({ apiKey: KEY, baseUrl: 'file:///tmp' }), {
    instanceOf: ConfigError,
  });
  t.throws(() => new HunterPeopleEnricher({ apiKey: KEY, timeoutMs: Number.NaN }), {
    instanceOf: ConfigError,
  });
});
