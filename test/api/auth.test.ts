import anyTest, { type TestFn } from 'ava';
import jwt from 'jsonwebtoken';
import {
  ORIGINAL_CLIENT_PASSWORDS,
  signUp,
  signUpFields,
  strongPassword,
  uniqueUsername,
} from '../support/builders.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

// --- the original service's own auth checks, verbatim ---

for (const field of ['email', 'password', 'username'] as const) {
  test(`sign-up without ${field} → PAR_01 naming ${field}`, async (t) => {
    const fields = Object.fromEntries(
      Object.entries(signUpFields()).filter(([name]) => name !== field),
    );
    const response = await t.context.api.post('/user/data', fields);
    t.is(response.status, 400);
    t.deepEqual(response.body, { code: 'PAR_01', message: 'Missing HTTP param.', field });
  });
}

test('sign-up with password "xx" → USR_04', async (t) => {
  const response = await t.context.api.post('/user/data', signUpFields({ password: 'xx' }));
  t.is(response.status, 400);
  t.deepEqual(response.body, {
    code: 'USR_04',
    message: 'Password too weak.',
    field: 'password',
    hint: 'Too short. Use at least 8 characters.',
  });
});

test("sign-up with the original clients' random 8-character passwords → 200, and they log in", async (t) => {
  for (const password of ORIGINAL_CLIENT_PASSWORDS) {
    const fields = signUpFields({ password });
    const response = await t.context.api.post('/user/data', fields);
    t.is(response.status, 200, `${password}: ${response.text}`);
    const login = await t.context.api.post('/api-token-auth/', {
      username: fields['username'] as string,
      password,
    });
    t.is(login.status, 200, password);
  }
});

test('a weak password → USR_04 with a hint saying which rule it failed', async (t) => {
  const username = uniqueUsername('ada');
  const weak: ReadonlyArray<readonly [string, string | RegExp]> = [
    ['12345678901', 'Only digits. Add some letters.'],
    ['password1', /^Too easy to guess\. .+/],
    ['qwertyuiop', /^Too easy to guess\. .+/],
    [`${username}!`, 'Too like your username or email address.'],
  ];
  for (const [password, hint] of weak) {
    const response = await t.context.api.post('/user/data', signUpFields({ username, password }));
    t.is(response.status, 400, password);
    const { hint: said, ...rest } = response.body;
    t.deepEqual(rest, { code: 'USR_04', message: 'Password too weak.', field: 'password' });
    if (typeof hint === 'string') t.is(said, hint, password);
    else t.regex(String(said), hint, password);
  }
});

test('sign-up with a taken username → USR_05', async (t) => {
  const { username } = await signUp(t.context.api);
  const response = await t.context.api.post('/user/data', signUpFields({ username }));
  t.is(response.status, 409);
  t.deepEqual(response.body, {
    code: 'USR_05',
    message: 'User with this username already exists.',
    field: 'username',
  });
});

test('sign-up with an undeliverable email → USR_03 and no user is created', async (t) => {
  const username = uniqueUsername();
  const refused = await t.context.api.post(
    '/user/data',
    signUpFields({ username, email: `${username}@nowhere.invalid` }),
  );
  t.is(refused.status, 400);
  t.deepEqual(refused.body, { code: 'USR_03', message: 'Email does not verify.', field: 'email' });

  // Nothing was saved: the name is still free, and a login with it fails.
  const login = await t.context.api.post('/api-token-auth/', { username, password: 'whatever1' });
  t.is(login.body['code'], 'AUT_02');
  const retry = await t.context.api.post('/user/data', signUpFields({ username }));
  t.is(retry.status, 200);
});

// --- sign-up ---

test('sign-up returns the new user id and a working token', async (t) => {
  const fields = signUpFields({ first_name: 'Ada', lat: '51.5', birth_date: '1815-12-10' });
  const response = await t.context.api.post('/user/data', fields);
  t.is(response.status, 200);
  t.is(response.body['code'], 'OK');
  const data = response.body['data'] as { user_id: number; token: string };
  t.true(Number.isInteger(data.user_id) && data.user_id > 0);

  const me = await t.context.api.get('/user/data', {}, { token: data.token });
  t.is(me.status, 200);
  t.like(me.body['data'], {
    user_id: data.user_id,
    username: fields['username'],
    email: fields['email'],
    first_name: 'Ada',
    lat: 51.5,
    birth_date: '1815-12-10',
  });
});

test('sign-up takes JSON bodies too, with typed values', async (t) => {
  const username = uniqueUsername();
  const response = await t.context.api.send(
    'POST',
    '/user/data',
    JSON.stringify({
      username,
      password: strongPassword(),
      email: `${username}@example.com`,
      lat: 48.85,
      lng: 2.35,
    }),
    { headers: { 'content-type': 'application/json' } },
  );
  t.is(response.status, 200, response.text);
});

test('malformed sign-up values → USR_02 naming the parameter', async (t) => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['birth_date', '1999-02-30'],
    ['birth_date', '10/12/1815'],
    ['lat', '91'],
    ['lng', 'east'],
    ['site', 'javascript:alert(1)'],
    ['avatar', 'ftp://example.com/a.png'],
    ['email', 'not-an-email'],
    ['username', 'has space'],
    ['first_name', 'x'.repeat(151)],
  ];
  for (const [field, value] of cases) {
    const response = await t.context.api.post('/user/data', signUpFields({ [field]: value }));
    t.is(response.status, 400, `${field}=${value}`);
    t.is(response.body['code'], 'USR_02', `${field}=${value}`);
    t.is(response.body['field'], field);
    t.true(String(response.body['message']).includes(field), String(response.body['message']));
  }
});

test('a non-string password is USR_02, never a crash', async (t) => {
  const username = uniqueUsername();
  for (const password of [12345678901, ['a', 'b'], { $gt: '' }, true]) {
    const response = await t.context.api.send(
      'POST',
      '/user/data',
      JSON.stringify({ username, email: `${username}@example.com`, password }),
      { headers: { 'content-type': 'application/json' } },
    );
    t.is(response.status, 400);
    t.like(response.body, { code: 'USR_02', field: 'password' });
  }
});

test('two concurrent sign-ups of one name: one OK, one USR_05', async (t) => {
  const username = uniqueUsername();
  const [first, second] = await Promise.all([
    t.context.api.post('/user/data', signUpFields({ username })),
    t.context.api.post('/user/data', signUpFields({ username })),
  ]);
  const codes = [first.body['code'], second.body['code']].sort();
  t.deepEqual(codes, ['OK', 'USR_05']);
  t.deepEqual([first.status, second.status].sort(), [200, 409]);
});

test('usernames are unique regardless of case', async (t) => {
  const { username } = await signUp(t.context.api);
  const response = await t.context.api.post(
    '/user/data',
    signUpFields({ username: username.toUpperCase() }),
  );
  t.is(response.body['code'], 'USR_05');
});

// --- login ---

test('login returns a token (top level and in data), the user id and the expiry', async (t) => {
  const user = await signUp(t.context.api);
  const response = await t.context.api.post('/api-token-auth/', {
    username: user.username,
    password: user.password,
  });
  t.is(response.status, 200);
  const data = response.body['data'] as { token: string; user_id: number; expires_at: string };
  t.is(response.body['code'], 'OK');
  t.is(response.body['token'], data.token);
  t.is(data.user_id, user.userId);
  const claims = jwt.decode(data.token) as { sub: string; exp: number; iat: number };
  t.is(claims.sub, String(user.userId));
  t.is(new Date(data.expires_at).getTime(), claims.exp * 1000);
  t.true(claims.exp > claims.iat);
});

test('wrong password and unknown user get the same AUT_02', async (t) => {
  const user = await signUp(t.context.api);
  const wrongPassword = await t.context.api.post('/api-token-auth/', {
    username: user.username,
    password: `${user.password}x`,
  });
  const unknownUser = await t.context.api.post('/api-token-auth/', {
    username: uniqueUsername('ghost'),
    password: user.password,
  });
  t.is(wrongPassword.status, 401);
  t.is(wrongPassword.body['code'], 'AUT_02');
  t.deepEqual(unknownUser.body, wrongPassword.body);
  t.is(unknownUser.status, wrongPassword.status);
});

test('login without a password → PAR_01 password', async (t) => {
  const response = await t.context.api.post('/api-token-auth/', { username: 'someone' });
  t.deepEqual(response.body, { code: 'PAR_01', message: 'Missing HTTP param.', field: 'password' });
});

// --- tokens ---

test('api-token-verify accepts a good token and refuses a forged one', async (t) => {
  const user = await signUp(t.context.api);
  const good = await t.context.api.post('/api-token-verify/', { token: user.token });
  t.is(good.status, 200);
  t.deepEqual(good.body, { code: 'OK', token: user.token, data: { user_id: user.userId } });

  const forged = jwt.sign(
    { sub: String(user.userId) },
    'another-key-that-is-at-least-32-bytes-long',
    {
      algorithm: 'HS256',
      expiresIn: 600,
    },
  );
  const refused = await t.context.api.post('/api-token-verify/', { token: forged });
  t.is(refused.status, 401);
  t.deepEqual(refused.body, {
    code: 'AUT_01',
    message: 'The auth token is invalid.',
    field: 'TOKEN',
  });
});

test('both "JWT" and "Bearer" prefixes authenticate', async (t) => {
  const user = await signUp(t.context.api);
  for (const scheme of ['JWT', 'Bearer'] as const) {
    const response = await t.context.api.post(
      '/post/data',
      { title: `via ${scheme}`, text: 'hello' },
      { token: user.token, scheme },
    );
    t.is(response.status, 200, scheme);
  }
});

test('bad tokens on a protected route → AUT_01', async (t) => {
  const user = await signUp(t.context.api);
  const [header, payload] = user.token.split('.');
  const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
  const expired = jwt.sign(
    { sub: String(user.userId), exp: Math.floor(Date.now() / 1000) - 60 },
    'irrelevant-because-it-is-expired-and-forged-anyway',
  );
  const tampered = `${header}.${Buffer.from(JSON.stringify({ sub: '1', exp: 9999999999 })).toString('base64url')}.${user.token.split('.')[2]}`;
  for (const token of ['garbage', unsigned, expired, tampered]) {
    const response = await t.context.api.post('/post/data', { title: 't', text: 'x' }, { token });
    t.is(response.status, 401);
    t.deepEqual(response.body, {
      code: 'AUT_01',
      message: 'The auth token is invalid.',
      field: 'TOKEN',
    });
  }
  const noHeader = await t.context.api.post('/post/data', { title: 't', text: 'x' });
  t.is(noHeader.body['code'], 'AUT_01');
  const wrongScheme = await t.context.api.post(
    '/post/data',
    { title: 't', text: 'x' },
    {
      headers: { authorization: `Basic ${user.token}` },
    },
  );
  t.is(wrongScheme.body['code'], 'AUT_01');
});
