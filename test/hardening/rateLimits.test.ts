import test, { type ExecutionContext } from 'ava';
import { createClient, PlazaApiError } from '@plaza/client-sdk';
import { sharedDatabaseUrl, temporaryDirectory, testDialect } from '@plaza/testkit';
import type { RateLimits } from '@plaza/server-koa';
import { createPost, signUp, signUpFields } from '../support/builders.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startInProcessTarget } from '../support/apiTarget.js';
import { holdRateLimitClock } from '../support/rateLimitClock.js';

const TOO_MANY_REQUESTS = { code: 'RAT_01', message: 'Too many requests, slow down.' };

/**
 * A server behind one trusted proxy, so that each test can speak as several clients through
 * `X-Forwarded-For` over loopback. Its buckets do not refill while the test runs.
 */
async function serverWith(t: ExecutionContext, rateLimits: Partial<RateLimits>): Promise<Api> {
  const target = await startInProcessTarget({}, { rateLimits, trustProxy: true });
  t.teardown(() => target.close());
  holdRateLimitClock(target.plaza);
  return new Api(target.baseUrl);
}

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

/** RAT_01 with a Retry-After of at most `retryAfter` seconds (the time one request takes to refill). */
function refusedAsTooMany(t: ExecutionContext, response: ApiResponse, retryAfter: number): void {
  t.is(response.status, 429);
  t.deepEqual(response.body, TOO_MANY_REQUESTS);
  const seconds = Number(response.headers.get('retry-after'));
  t.true(Number.isInteger(seconds) && seconds >= 1 && seconds <= retryAfter, String(seconds));
}

test('sign-ups past the per-client rate get RAT_01 429 with Retry-After; other clients go on', async (t) => {
  const api = await serverWith(t, { signUpsPerIpPerMinute: 3 });
  for (let i = 0; i < 3; i += 1) {
    t.is((await api.post('/user/data', signUpFields(), from('203.0.113.1'))).status, 200);
  }
  const refused = signUpFields();
  refusedAsTooMany(t, await api.post('/user/data', refused, from('203.0.113.1')), 20);

  t.is((await api.post('/user/data', signUpFields(), from('203.0.113.2'))).status, 200);
  // Nothing was saved for the refused sign-up: its name is still free.
  t.is((await api.post('/user/data', refused, from('203.0.113.3'))).status, 200);
});

test('an IPv6 client is limited by its /64', async (t) => {
  const api = await serverWith(t, { signUpsPerIpPerMinute: 2 });
  t.is((await api.post('/user/data', signUpFields(), from('2001:db8:1:2::1'))).status, 200);
  t.is((await api.post('/user/data', signUpFields(), from('2001:db8:1:2::2'))).status, 200);
  refusedAsTooMany(t, await api.post('/user/data', signUpFields(), from('2001:db8:1:2::3')), 30);
  t.is((await api.post('/user/data', signUpFields(), from('2001:db8:1:3::1'))).status, 200);
});

test('likes past the per-user rate get RAT_01; other users, and reads, are not affected', async (t) => {
  const api = await serverWith(t, { writesPerUserPerMinute: 4, writesPerIpPerMinute: 100 });
  const author = await signUp(api);
  const postId = await createPost(api, author.token);
  const ann = await signUp(api);
  const bob = await signUp(api);
  const like = (token: string, ip: string) =>
    api.post('/post/like', { post_id: postId }, { token, ...from(ip) });

  for (let i = 0; i < 4; i += 1) t.is((await like(ann.token, '203.0.113.1')).status, 200);
  refusedAsTooMany(t, await like(ann.token, '203.0.113.1'), 15);
  refusedAsTooMany(t, await like(ann.token, '203.0.113.9'), 15);
  refusedAsTooMany(
    t,
    await api.post(
      '/post/data',
      { title: 'T', text: 'x' },
      { token: ann.token, ...from('203.0.113.7') },
    ),
    15,
  );

  t.is((await like(bob.token, '203.0.113.1')).status, 200, 'bob, from the same client');
  const read = await api.get('/post/read', { post_id: postId }, { token: ann.token });
  t.is(read.status, 200);
  t.is((read.body['data'] as { likes: number }).likes, 2);
});

test('writes past the per-client rate get RAT_01, whoever the user; other clients go on', async (t) => {
  const api = await serverWith(t, { writesPerUserPerMinute: 100, writesPerIpPerMinute: 3 });
  const author = await signUp(api);
  const postId = await createPost(api, author.token);
  const users = [await signUp(api), await signUp(api), await signUp(api), await signUp(api)];
  const write = (token: string, path: string, ip: string) =>
    api.post(path, { post_id: postId }, { token, ...from(ip) });

  t.is((await write(users[0]?.token ?? '', '/post/like', '198.51.100.1')).status, 200);
  t.is((await write(users[1]?.token ?? '', '/post/unlike', '198.51.100.1')).status, 200);
  t.is((await write(users[2]?.token ?? '', '/post/like', '198.51.100.1')).status, 200);
  refusedAsTooMany(t, await write(users[3]?.token ?? '', '/post/like', '198.51.100.1'), 20);
  t.is((await write(users[3]?.token ?? '', '/post/like', '198.51.100.2')).status, 200);
});

test('enrichment requests are writes too', async (t) => {
  const api = await serverWith(t, { writesPerUserPerMinute: 1 });
  const ann = await signUp(api);
  const request = () =>
    api.post('/user/request-retrieve-data', {}, { token: ann.token, ...from('203.0.113.1') });
  t.is((await request()).status, 202);
  refusedAsTooMany(t, await request(), 60);
});

test('the SDK reports RAT_01 as a PlazaApiError of that code and status, without retrying', async (t) => {
  const target = await startInProcessTarget(
    {},
    { rateLimits: { signUpsPerIpPerMinute: 1, limitLoopback: true } },
  );
  t.teardown(() => target.close());
  holdRateLimitClock(target.plaza);
  let requests = 0;
  const client = createClient(target.baseUrl, {
    fetch: (input, init) => {
      requests += 1;
      return fetch(input, init);
    },
  });
  const fields = () => {
    const { username = '', password = '', email = '' } = signUpFields();
    return { username, password, email };
  };
  await client.auth.signup(fields());
  const error = await t.throwsAsync(client.auth.signup(fields()), { instanceOf: PlazaApiError });
  t.like(error, { code: 'RAT_01', status: 429, message: TOO_MANY_REQUESTS.message });
  t.true(
    error.retryAfterSeconds !== undefined && error.retryAfterSeconds >= 1,
    `retryAfterSeconds is ${String(error.retryAfterSeconds)}`,
  );
  t.is(requests, 2);
});

test('a bad token is still AUT_01, not a rate-limit answer', async (t) => {
  const api = await serverWith(t, { writesPerIpPerMinute: 1 });
  for (let i = 0; i < 3; i += 1) {
    const response = await api.post('/post/like', { post_id: 1 }, { token: 'nope' });
    t.is(response.body['code'], 'AUT_01');
  }
});

test('loopback clients are exempt by default (local tools, the bot), and limited on request', async (t) => {
  const exempt = await serverWith(t, { signUpsPerIpPerMinute: 2 });
  for (let i = 0; i < 4; i += 1)
    t.is((await exempt.post('/user/data', signUpFields())).status, 200);

  const limited = await serverWith(t, { signUpsPerIpPerMinute: 2, limitLoopback: true });
  for (let i = 0; i < 2; i += 1)
    t.is((await limited.post('/user/data', signUpFields())).status, 200);
  refusedAsTooMany(t, await limited.post('/user/data', signUpFields()), 30);
});

test('the defaults let the test suites and the bot sign up many users from loopback', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  const api = new Api(target.baseUrl);
  const answers = await Promise.all(
    Array.from({ length: 30 }, () => api.post('/user/data', signUpFields())),
  );
  t.deepEqual(
    answers.map((answer) => answer.status),
    answers.map(() => 200),
  );
});

test('two servers on one database enforce one limit together', async (t) => {
  const dir = await temporaryDirectory(t);
  // On SQLite the buckets live in memory unless told; on PostgreSQL, in the database.
  const options = {
    databaseUrl: sharedDatabaseUrl(dir),
    ...(testDialect() === 'sqlite' ? { rateLimitStore: 'database' as const } : {}),
  };
  const serverOptions = { rateLimits: { signUpsPerIpPerMinute: 4, limitLoopback: true } };
  const targets = [
    await startInProcessTarget(options, serverOptions),
    await startInProcessTarget(options, serverOptions),
  ];
  t.teardown(() => Promise.all(targets.map((target) => target.close())));
  const now = Date.now();
  for (const target of targets) holdRateLimitClock(target.plaza, now);
  const apis = targets.map((target) => new Api(target.baseUrl));
  for (let i = 0; i < 4; i += 1) {
    t.is((await apis[i % 2]!.post('/user/data', signUpFields())).status, 200, `sign-up ${i}`);
  }
  refusedAsTooMany(t, await apis[0]!.post('/user/data', signUpFields()), 15);
  refusedAsTooMany(t, await apis[1]!.post('/user/data', signUpFields()), 15);
});
