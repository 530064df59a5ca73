import { inspect } from 'node:util';

import test, { type ExecutionContext } from 'ava';
import nock from 'nock';

import { ConfigError, PlazaError } from '../../errors.js';
import {
  HunterEmailVerifier,
  HunterFailure,
  type HunterEmailVerifierOptions,
} from './HunterEmailVerifier.js';
import { type LogCall, recordingLogger } from '@plaza/testkit';

// Shaped like a real Hunter key (40 hex characters, starting with a letter).
const KEY = 'c0ffee5ecret0123456789abcdef0123456789ab';
const BASE = 'https://api.hunter.io';
const PATH = '/v2/email-verifier';
const EMAIL = 'ada@example.com';

function verifier(overrides: Partial<HunterEmailVerifierOptions> = {}): {
  verifier: HunterEmailVerifier;
  calls: LogCall[];
} {
  const { logger, calls } = recordingLogger();
  // Far above what a mocked answer takes, even on a saturated machine: only the tests of
  // timeouts and budgets, which set their own, should ever see one run out.
  const options: HunterEmailVerifierOptions = {
    apiKey: KEY,
    timeoutMs: 5000,
    budgetMs: 10_000,
    retryDelayMs: 10,
    logger,
    ...overrides,
  };
  return { verifier: new HunterEmailVerifier(options), calls };
}

/** The request Hunter should receive, with the key and the address in the query. */
function hunter(email = EMAIL): nock.Interceptor {
  return nock(BASE).get(PATH).query({ email, api_key: KEY });
}

function envelope(data: Record<string, unknown>, email = EMAIL): Record<string, unknown> {
  return {
    data: {
      email,
      score: 80,
      regexp: true,
      gibberish: false,
      disposable: data['status'] === 'disposable',
      webmail: data['status'] === 'webmail',
      mx_records: true,
      smtp_server: true,
      smtp_check: data['status'] === 'valid',
      accept_all: data['status'] === 'accept_all',
      block: false,
      sources: [],
      ...data,
    },
    meta: { params: { email } },
  };
}

function errors(
  id: string,
  code: number,
  details = 'Something went wrong.',
): Record<string, unknown> {
  return { errors: [{ id, code, details }] };
}

async function expectUnavailable(
  t: ExecutionContext,
  promise: Promise<unknown>,
): Promise<HunterFailure | undefined> {
  const error = await t.throwsAsync(promise, { instanceOf: PlazaError });
  t.is(error.code, 'EXT_01');
  t.true(error.cause instanceof HunterFailure, 'the cause says what went wrong');
  return error.cause instanceof HunterFailure ? error.cause : undefined;
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

// --- 200: decided on data.status, with and without the deprecated data.result ---

const verdicts = [
  ['valid', true, 'deliverable'],
  ['accept_all', true, 'risky'],
  ['webmail', true, 'deliverable'],
  ['unknown', true, 'risky'],
  ['invalid', false, 'undeliverable'],
  ['disposable', false, 'risky'],
] as const;

for (const [status, deliverable, result] of verdicts) {
  for (const withResult of [true, false]) {
    test.serial(
      `200 ${status} ${withResult ? 'with' : 'without'} result → ${deliverable ? 'accepted' : 'rejected'}`,
      async (t) => {
        const scope = hunter().reply(200, envelope(withResult ? { status, result } : { status }));
        const { verifier: v } = verifier();
        t.deepEqual(await v.verify(EMAIL), { deliverable, status });
        t.true(scope.isDone());
      },
    );
  }
}

test.serial('the decision follows status, not the deprecated result', async (t) => {
  hunter().reply(200, envelope({ status: 'invalid', result: 'deliverable' }));
  const { verifier: v } = verifier();
  t.deepEqual(await v.verify(EMAIL), { deliverable: false, status: 'invalid' });
});

test.serial('200 with result but no status → EXT_01', async (t) => {
  const body = envelope({ result: 'deliverable' });
  delete (body['data'] as Record<string, unknown>)['status'];
  hunter().reply(200, body);
  const cause = await expectUnavailable(t, verifier().verifier.verify(EMAIL));
  t.is(cause?.reason, 'bad_body');
});

test.serial('200 with a status Hunter does not document → EXT_01', async (t) => {
  hunter().reply(200, envelope({ status: 'catch_all' }));
  const cause = await expectUnavailable(t, verifier().verifier.verify(EMAIL));
  t.is(cause?.reason, 'bad_body');
});

const garbage: ReadonlyArray<readonly [string, string]> = [
  ['not JSON', 'this is not json'],
  ['HTML', '<html><body>Hello</body></html>'],
  ['empty', ''],
  ['JSON null', 'null'],
  ['no data', '{"meta":{}}'],
  ['data not an object', '{"data":"valid"}'],
  ['status not a string', '{"data":{"status":1}}'],
  ['truncated JSON', '{"data":{"status":"val'],
];

for (const [label, body] of garbage) {
  test.serial(`garbage 200 body (${label}) → EXT_01`, async (t) => {
    const scope = hunter().reply(200, body, { 'Content-Type': 'application/json' });
    const cause = await expectUnavailable(t, verifier().verifier.verify(EMAIL));
    t.is(cause?.reason, 'bad_body');
    t.true(scope.isDone());
  });
}

// --- 202 / 222: repeated within the budget, then taken as unknown ---

test.serial('202 then 200 on a repeat → the 200 decides', async (t) => {
  // The 202 body would be accepted if it were read as a verdict.
  const scope = hunter()
    .reply(202, envelope({ status: 'valid' }))
    .get(PATH)
    .query({ email: EMAIL, api_key: KEY })
    .reply(200, envelope({ status: 'invalid' }));
  const { verifier: v } = verifier();
  t.deepEqual(await v.verify(EMAIL), { deliverable: false, status: 'invalid' });
  t.true(scope.isDone(), 'both requests were made');
});

test.serial('222 then 200 on a repeat → the 200 decides', async (t) => {
  const scope = hunter()
    .reply(222, envelope({ status: 'invalid' }))
    .get(PATH)
    .query({ email: EMAIL, api_key: KEY })
    .reply(200, envelope({ status: 'webmail' }));
  const { verifier: v } = verifier();
  t.deepEqual(await v.verify(EMAIL), { deliverable: true, status: 'webmail' });
  t.true(scope.isDone());
});

test.serial('the repeat waits retryDelayMs', async (t) => {
  hunter()
    .reply(202, '')
    .get(PATH)
    .query({ email: EMAIL, api_key: KEY })
    .reply(200, envelope({ status: 'valid' }));
  const { verifier: v } = verifier({ retryDelayMs: 150 });
  const started = Date.now();
  t.deepEqual(await v.verify(EMAIL), { deliverable: true, status: 'valid' });
  t.true(Date.now() - started >= 140);
});

for (const code of [202, 222] as const) {
  test.serial(`${code} forever → accepted as unknown within the budget`, async (t) => {
    let requests = 0;
    hunter()
      .times(1000)
      .reply(() => {
        requests += 1;
        return [code, envelope({ status: 'invalid' })];
      });
    // A budget of 100 retry delays: several tries fit even when the machine stalls for a while.
    const { verifier: v } = verifier({ budgetMs: 2000, retryDelayMs: 20 });
    const started = Date.now();
    const verdict = await v.verify(EMAIL);
    const elapsed = Date.now() - started;
    t.deepEqual(verdict, { deliverable: true, status: 'unknown' });
    t.true(requests >= 3, `Hunter was asked again (${requests} requests)`);
    // Without a budget this would run for 20 s (1000 answers, 20 ms apart); half of that is
    // room enough for a saturated machine.
    t.true(elapsed < 10_000, `took ${elapsed} ms`);
  });
}

test.serial(
  '202 and then no answer before the budget ends → unknown, within the budget',
  async (t) => {
    hunter()
      .reply(202, '')
      .get(PATH)
      .query({ email: EMAIL, api_key: KEY })
      .delay(5000)
      .reply(200, envelope({ status: 'invalid' }));
    const { verifier: v } = verifier({ timeoutMs: 4000, budgetMs: 300, retryDelayMs: 10 });
    const started = Date.now();
    t.deepEqual(await v.verify(EMAIL), { deliverable: true, status: 'unknown' });
    const elapsed = Date.now() - started;
    t.true(elapsed < 4000, `ended by the budget, before the request's own timeout: ${elapsed} ms`);
  },
);

test.serial('202 and then a 500 → EXT_01 (a repeat may still fail)', async (t) => {
  hunter()
    .reply(202, '')
    .get(PATH)
    .query({ email: EMAIL, api_key: KEY })
    .reply(500, errors('internal_error', 500));
  const cause = await expectUnavailable(t, verifier().verifier.verify(EMAIL));
  t.is(cause?.status, 500);
});

// --- 4xx ---

test.serial('400 invalid_email → rejected as invalid', async (t) => {
  hunter('not an email').reply(400, errors('invalid_email', 400, 'The email is invalid.'));
  const { verifier: v } = verifier();
  t.deepEqual(await v.verify('not an email'), { deliverable: false, status: 'invalid' });
});

test.serial('400 wrong_params → EXT_01', async (t) => {
  hunter().reply(400, errors('wrong_params', 400, 'You are missing the email parameter.'));
  const cause = await expectUnavailable(t, verifier().verifier.verify(EMAIL));
  t.is(cause?.status, 400);
  t.deepEqual(cause?.errorIds, ['wrong_params']);
});

test.serial('400 without an errors envelope → EXT_01', async (t) => {
  hunter().reply(400, 'Bad Request');
  const cause = await expectUnavailable(t, verifier().verifier.verify(EMAIL));
  t.is(cause?.status, 400);
});

test.serial('451 claimed_email → accepted as unverified', async (t) => {
  const scope = hunter().reply(
    451,
    errors('claimed_email', 451, 'The owner asked us not to process it.'),
  );
  const { verifier: v, calls } = verifier();
  t.deepEqual(await v.verify(EMAIL), { deliverable: true, status: 'unverified' });
  t.true(scope.isDone());
  t.false(JSON.stringify(calls).includes(EMAIL), 'nothing about the address is logged');
});

const httpFailures: ReadonlyArray<readonly [number, string | Record<string, unknown>, string]> = [
  [
    401,
    errors('authentication_failed', 401, 'No user found for the API key supplied'),
    '401 bad key',
  ],
  [403, errors('too_many_requests', 403, 'You have reached the rate limit.'), '403 rate limit'],
  [429, errors('too_many_requests', 429, 'You have used all your requests.'), '429 quota'],
  [404, errors('not_found', 404), '404 (other 4xx)'],
  [500, errors('internal_error', 500, 'Something went wrong on our side.'), '500 JSON'],
  [
    502,
    '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
    '502 plain text',
  ],
  [503, '', '503 empty body'],
];

for (const [code, body, label] of httpFailures) {
  test.serial(`${label} → EXT_01`, async (t) => {
    const headers = typeof body === 'string' ? { 'Content-Type': 'text/html' } : undefined;
    const scope = hunter().reply(code, body, headers);
    const cause = await expectUnavailable(t, verifier().verifier.verify(EMAIL));
    t.is(cause?.reason, 'http_status');
    t.is(cause?.status, code);
    t.true(scope.isDone());
  });
}

test.serial('401 is logged as an error, other failures as warnings', async (t) => {
  hunter().reply(401, errors('authentication_failed', 401));
  const bad = verifier();
  await t.throwsAsync(bad.verifier.verify(EMAIL), { instanceOf: PlazaError });
  t.deepEqual(
    bad.calls.map((c) => c.level),
    ['error'],
  );

  hunter().reply(500, errors('internal_error', 500));
  const down = verifier();
  await t.throwsAsync(down.verifier.verify(EMAIL), { instanceOf: PlazaError });
  t.deepEqual(
    down.calls.map((c) => c.level),
    ['warn'],
  );
});

// --- no answer ---

test.serial('a response that never comes → EXT_01 after timeoutMs', async (t) => {
  hunter()
    .delay(3000)
    .reply(200, envelope({ status: 'valid' }));
  const { verifier: v } = verifier({ timeoutMs: 150, budgetMs: 5000 });
  const started = Date.now();
  const cause = await expectUnavailable(t, v.verify(EMAIL));
  const elapsed = Date.now() - started;
  t.is(cause?.reason, 'timeout');
  // Without the timeout this would wait for the answer, due at 3 s.
  t.true(elapsed >= 140 && elapsed < 3000, `took ${elapsed} ms`);
});

test.serial('headers that come but a body that never does → EXT_01', async (t) => {
  hunter()
    .delayBody(3000)
    .reply(200, envelope({ status: 'valid' }));
  const { verifier: v } = verifier({ timeoutMs: 150 });
  const cause = await expectUnavailable(t, v.verify(EMAIL));
  t.is(cause?.reason, 'timeout');
});

test.serial('the budget caps a single request longer than it', async (t) => {
  hunter()
    .delay(3000)
    .reply(200, envelope({ status: 'valid' }));
  const { verifier: v } = verifier({ timeoutMs: 5000, budgetMs: 200 });
  const started = Date.now();
  const cause = await expectUnavailable(t, v.verify(EMAIL));
  t.is(cause?.reason, 'timeout');
  // Before the answer (due at 3 s) and the request's own timeout (5 s): the budget ended it.
  const elapsed = Date.now() - started;
  t.true(elapsed < 3000, `took ${elapsed} ms`);
});

test.serial('an injected fetch that ignores the abort signal still times out', async (t) => {
  let called = 0;
  const neverSettles = (() => {
    called += 1;
    return new Promise<Response>(() => undefined);
  }) as typeof fetch;
  const { verifier: v } = verifier({ fetch: neverSettles, timeoutMs: 100 });
  const cause = await expectUnavailable(t, v.verify(EMAIL));
  t.is(cause?.reason, 'timeout');
  t.is(called, 1);
});

test.serial('a network error → EXT_01', async (t) => {
  hunter().replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
  const cause = await expectUnavailable(t, verifier().verifier.verify(EMAIL));
  t.is(cause?.reason, 'network');
});

// --- failOpen ---

test.serial('failOpen: a failure is accepted as unverified, with a warning', async (t) => {
  hunter().reply(503, 'Service Unavailable');
  const { verifier: v, calls } = verifier({ failOpen: true });
  t.deepEqual(await v.verify(EMAIL), { deliverable: true, status: 'unverified' });
  t.is(calls.filter((c) => c.level === 'warn').length, 1);
  t.is(calls.find((c) => c.level === 'warn')?.fields['status'], 503);
});

test.serial('failOpen: a timeout is accepted as unverified', async (t) => {
  hunter()
    .delay(3000)
    .reply(200, envelope({ status: 'invalid' }));
  const { verifier: v, calls } = verifier({ failOpen: true, timeoutMs: 100 });
  t.deepEqual(await v.verify(EMAIL), { deliverable: true, status: 'unverified' });
  t.is(calls.filter((c) => c.level === 'warn').length, 1);
});

test.serial('failOpen: rejections still reject', async (t) => {
  hunter().reply(200, envelope({ status: 'disposable' }));
  hunter('x').reply(400, errors('invalid_email', 400));
  const { verifier: v, calls } = verifier({ failOpen: true });
  t.deepEqual(await v.verify(EMAIL), { deliverable: false, status: 'disposable' });
  t.deepEqual(await v.verify('x'), { deliverable: false, status: 'invalid' });
  t.is(calls.filter((c) => c.level === 'warn').length, 0);
});

test.serial('without failOpen nothing is accepted on failure', async (t) => {
  hunter().reply(500, errors('internal_error', 500));
  await expectUnavailable(t, verifier({ failOpen: false }).verifier.verify(EMAIL));
});

// --- the key never leaks ---

const leakScenarios: ReadonlyArray<
  readonly [string, () => Partial<HunterEmailVerifierOptions> | undefined]
> = [
  [
    '401 whose body echoes the key',
    () => {
      hunter().reply(401, errors(KEY, 401, `Unknown key ${KEY}`));
      return undefined;
    },
  ],
  [
    '200 whose status is the key',
    () => {
      hunter().reply(200, envelope({ status: KEY }));
      return undefined;
    },
  ],
  [
    '502 text quoting the URL',
    () => {
      hunter().reply(502, `upstream failed for ${BASE}${PATH}?email=${EMAIL}&api_key=${KEY}`);
      return undefined;
    },
  ],
  [
    'a network error quoting the URL',
    () => {
      hunter().replyWithError(`connect ECONNREFUSED ${BASE}${PATH}?api_key=${KEY}`);
      return undefined;
    },
  ],
  // nock's own error for an unmatched request quotes the full URL, key included.
  ['no interceptor: nock refuses the connection', () => undefined],
  [
    'a timeout',
    () => {
      hunter()
        .delay(3000)
        .reply(200, envelope({ status: 'valid' }));
      return { timeoutMs: 100 };
    },
  ],
  [
    'an injected fetch whose error quotes the URL',
    () => ({
      fetch: (input: string | URL | Request) =>
        Promise.reject(
          new TypeError(
            `Failed to parse URL from ${input instanceof Request ? input.url : input.toString()}`,
          ),
        ),
    }),
  ],
];

for (const [label, arrange] of leakScenarios) {
  test.serial(`the api key appears in no error or log line: ${label}`, async (t) => {
    const overrides = arrange() ?? {};
    const { verifier: v, calls } = verifier(overrides);
    const error = await t.throwsAsync(v.verify(EMAIL), { instanceOf: PlazaError });
    t.is(error.code, 'EXT_01');
    t.truthy(error.cause, 'there is a cause to inspect');
    t.true(calls.length > 0, 'the failure was logged');

    const dumped = [
      inspect(error, { depth: Infinity, showHidden: true }),
      inspect(error.cause, { depth: Infinity, showHidden: true }),
      JSON.stringify(error),
      JSON.stringify(error.cause),
      error.message,
      inspect(calls, { depth: Infinity }),
      JSON.stringify(calls),
    ].join('\n');
    t.true(dumped.includes('HunterFailure'), 'the dump does contain the cause');
    t.false(dumped.includes(KEY), 'the key is absent');
    t.false(dumped.includes(encodeURIComponent(KEY)), 'the encoded key is absent');
    t.false(dumped.includes('api_key'), 'no URL query is quoted');
  });
}

test.serial('failOpen warnings do not contain the key either', async (t) => {
  hunter().replyWithError(`connect ECONNREFUSED ${BASE}${PATH}?api_key=${KEY}`);
  const { verifier: v, calls } = verifier({ failOpen: true });
  t.deepEqual(await v.verify(EMAIL), { deliverable: true, status: 'unverified' });
  t.is(calls.length, 1);
  t.false(inspect(calls, { depth: Infinity }).includes(KEY));
});

// --- configuration ---

test.serial('requests go to baseUrl/v2/email-verifier with email and api_key', async (t) => {
  const scope = nock('http://127.0.0.1:9999')
    .get('/hunter/v2/email-verifier')
    .query({ email: 'a+b@example.com', api_key: KEY })
    .reply(200, envelope({ status: 'valid' }, 'a+b@example.com'));
  const { verifier: v } = verifier({ baseUrl: 'http://127.0.0.1:9999/hunter/' });
  t.deepEqual(await v.verify('a+b@example.com'), { deliverable: true, status: 'valid' });
  t.true(scope.isDone());
});

test.serial('an injected fetch is used instead of the global one', async (t) => {
  const urls: string[] = [];
  const fake = ((input: string | URL | Request) => {
    urls.push(input instanceof Request ? input.url : input.toString());
    return Promise.resolve(
      new Response(JSON.stringify(envelope({ status: 'accept_all' })), { status: 200 }),
    );
  }) as typeof fetch;
  const { verifier: v } = verifier({ fetch: fake });
  t.deepEqual(await v.verify(EMAIL), { deliverable: true, status: 'accept_all' });
  t.is(urls.length, 1);
  const url = new URL(urls[0] ?? '');
  t.is(`${url.origin}${url.pathname}`, `${BASE}${PATH}`);
  t.is(url.searchParams.get('email'), EMAIL);
  t.is(url.searchParams.get('api_key'), KEY);
});

test.serial('the verifier is named hunter', (t) => {
  t.is(verifier().verifier.name, 'hunter');
});

test.serial('an empty api key or a bad baseUrl is a ConfigError', (t) => {
  t.throws(() => new HunterEmailVerifier({ apiKey: '' }), { instanceOf: ConfigError });
  t.throws(() => new HunterEmailVerifier({ apiKey: '  ' }), { instanceOf: ConfigError });
  t.throws(() => new HunterEmailVerifier({ apiKey: KEY, baseUrl: 'not a url' }), {
    instanceOf: ConfigError,
  });
  t.throws(() => new HunterEmailVerifier({ apiKey: KEY, timeoutMs: 0 }), {
    instanceOf: ConfigError,
  });
  t.throws(() => new HunterEmailVerifier({ apiKey: KEY, budgetMs: Number.NaN }), {
    instanceOf: ConfigError,
  });
});
