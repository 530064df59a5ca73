import { gzipSync } from 'node:zlib';
import anyTest, { type TestFn } from 'ava';
import { signUp, signUpFields, uniqueUsername } from '../support/builders.js';
import { inProcessOnly, useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

const jsonHeaders = { 'content-type': 'application/json' };

test('GET /healthz answers OK', async (t) => {
  const response = await t.context.api.get('/healthz');
  t.is(response.status, 200);
  t.deepEqual(response.body, { code: 'OK', data: { status: 'ok' } });
});

test('unknown routes → 404 JSON; a wrong method → 405 JSON', async (t) => {
  const unknown = await t.context.api.get('/no/such/route');
  t.is(unknown.status, 404);
  t.is(unknown.body['code'], 'USR_01');
  t.regex(unknown.headers.get('content-type') ?? '', /application\/json/);
  const wrongMethod = await t.context.api.get('/post/like');
  t.is(wrongMethod.status, 405);
  t.is(wrongMethod.body['code'], 'USR_02');
  t.regex(wrongMethod.headers.get('allow') ?? '', /POST/);
});

test('malformed JSON → 400 JSON error, no stack trace', async (t) => {
  const response = await t.context.api.send('POST', '/user/data', '{"username": "ada",', {
    headers: jsonHeaders,
  });
  t.is(response.status, 400);
  t.is(response.body['code'], 'USR_02');
  t.notRegex(response.text, /at .*\.js|Error:|SyntaxError/);
});

test('a JSON body that is not an object → 400 JSON error', async (t) => {
  for (const body of ['[1,2]', '"text"', '42', 'null']) {
    const response = await t.context.api.send('POST', '/user/data', body, { headers: jsonHeaders });
    t.is(response.status, 400, body);
    t.is(response.body['code'], 'USR_02', body);
  }
});

test('a body over the limit → 413 JSON error', async (t) => {
  const fields = signUpFields({ bio: 'x'.repeat(200_000) });
  const response = await t.context.api.send('POST', '/user/data', JSON.stringify(fields), {
    headers: jsonHeaders,
  });
  t.is(response.status, 413);
  t.deepEqual(response.body, { code: 'USR_02', message: 'The request body is too large.' });
});

test('a gzip body that inflates past the limit → 413, not memory growth', async (t) => {
  const bomb = gzipSync(Buffer.from(JSON.stringify({ bio: 'x'.repeat(5_000_000) })));
  const response = await t.context.api.send('POST', '/user/data', bomb, {
    headers: { ...jsonHeaders, 'content-encoding': 'gzip' },
  });
  t.is(response.status, 413);
  t.is(response.body['code'], 'USR_02');
});

test('parameters come from form bodies, JSON bodies and query strings alike', async (t) => {
  const user = await signUp(t.context.api);
  const asForm = await t.context.api.post(
    '/post/data',
    { title: 'form', text: 't' },
    { token: user.token },
  );
  const asJson = await t.context.api.post(
    '/post/data',
    { title: 'json', text: 't' },
    { token: user.token, as: 'json' },
  );
  t.is(asForm.status, 200);
  t.is(asJson.status, 200);
  const postId = (asJson.body['data'] as { post_id: number }).post_id;
  const viaQuery = await t.context.api.send('POST', `/post/like?post_id=${postId}`, undefined, {
    token: user.token,
  });
  t.deepEqual(viaQuery.body, { code: 'OK' });
  const read = await t.context.api.get('/post/read', { post_id: postId });
  t.like(read.body['data'], { title: 'json', likes: 1 });
});

test('answers carry a request id and nosniff, and no X-Powered-By', async (t) => {
  const response = await t.context.api.get(
    '/healthz',
    {},
    { headers: { 'x-request-id': 'trace-123' } },
  );
  t.is(response.headers.get('x-request-id'), 'trace-123');
  t.is(response.headers.get('x-content-type-options'), 'nosniff');
  t.is(response.headers.get('x-powered-by'), null);
  const forged = await t.context.api.get(
    '/healthz',
    {},
    { headers: { 'x-request-id': 'bad\tid{}' } },
  );
  t.not(forged.headers.get('x-request-id'), 'bad\tid{}');
});

test('repeated query keys and control characters are USR_02, not 500', async (t) => {
  const repeated = await t.context.api.send('GET', '/post/read?post_id=1&post_id=2', undefined);
  t.is(repeated.status, 400);
  t.like(repeated.body, { code: 'USR_02', field: 'post_id' });
  const nul = await t.context.api.post(
    '/user/data',
    signUpFields({ first_name: 'Ada\u0000Lovelace' }),
  );
  t.like(nul.body, { code: 'USR_02', field: 'first_name' });
  const newline = await t.context.api.post(
    '/user/data',
    signUpFields({ username: 'evil\n{"level":60}' }),
  );
  t.like(newline.body, { code: 'USR_02', field: 'username' });
});

const inProcess = inProcessOnly(test);

inProcess?.('Hunter answering 500 → EXT_01 (502) and nothing saved', async (t) => {
  const hunter = t.context.target.hunter!;
  const username = uniqueUsername();
  const email = `${username}@down.example.com`;
  hunter.respondWith(email, { kind: 'error', httpStatus: 500 });
  const refused = await t.context.api.post('/user/data', signUpFields({ username, email }));
  t.is(refused.status, 502);
  t.deepEqual(refused.body, {
    code: 'EXT_01',
    message: 'Cannot connect to hunter.io for socialuser email verification. Try again.',
  });
  const retry = await t.context.api.post('/user/data', signUpFields({ username }));
  t.is(retry.status, 200, 'the username was not taken by the failed attempt');
});

inProcess?.('Hunter that never answers → EXT_01 within its timeout', async (t) => {
  const hunter = t.context.target.hunter!;
  const username = uniqueUsername();
  const email = `${username}@slow.example.com`;
  hunter.respondWith(email, 'hang');
  const refused = await t.context.api.post('/user/data', signUpFields({ username, email }));
  t.is(refused.status, 502);
  t.is(refused.body['code'], 'EXT_01');
});

inProcess?.('Hunter says disposable → USR_03', async (t) => {
  const username = uniqueUsername();
  const refused = await t.context.api.post(
    '/user/data',
    signUpFields({ username, email: `${username}@mailinator.com` }),
  );
  t.is(refused.body['code'], 'USR_03');
});

inProcess?.('logs carry request ids but no password, token or api key', async (t) => {
  const user = await signUp(t.context.api);
  const login = await t.context.api.post('/api-token-auth/', {
    username: user.username,
    password: user.password,
  });
  const token = (login.body['data'] as { token: string }).token;
  await t.context.api.get('/user/data', {}, { token });
  await t.context.api.post('/api-token-auth/', {
    username: user.username,
    password: `${user.password}!`,
  });
  const logs = t.context.target.logs();
  t.true(logs.includes('"req_id"'));
  t.true(logs.includes('/api-token-auth/'));
  t.false(logs.includes(user.password), 'no password');
  t.false(logs.includes(token), 'no token');
  t.false(logs.includes(user.token), 'no sign-up token');
  t.false(logs.includes(t.context.target.hunter!.apiKey), 'no Hunter key');
  for (const line of logs.trim().split('\n')) t.notThrows(() => JSON.parse(line) as unknown);
});
