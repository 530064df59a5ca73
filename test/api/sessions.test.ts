import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import jwt from 'jsonwebtoken';
import { TEST_JWT_SECRET } from '../support/apiTarget.js';
import { signUp, signUpFields, strongPassword } from '../support/builders.js';
import type { ApiResponse } from '../support/http.js';
import { inProcessOnly, useApiTarget, type ApiContext } from '../support/suite.js';

/**
 * Sessions and refresh tokens: what login and sign-up hand out, `POST /api-token-refresh/`
 * (rotation, reuse), `GET /user/sessions`, `POST /user/logout`, and how logout-all and a
 * password change end sessions.
 */

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);
type T = ExecutionContext<ApiContext>;

const INVALID_TOKEN = { code: 'AUT_01', message: 'The auth token is invalid.', field: 'TOKEN' };
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43,}$/;

interface Signed {
  readonly userId: number;
  readonly token: string;
  readonly refreshToken: string;
}

interface Account {
  readonly username: string;
  readonly password: string;
  readonly first: Signed;
}

const dataOf = (response: ApiResponse) => response.body['data'] as Record<string, unknown>;

function signedFrom(t: T, response: ApiResponse): Signed {
  t.is(response.status, 200, response.text);
  const data = dataOf(response);
  return {
    userId: Number(data['user_id']),
    token: String(data['token']),
    refreshToken: String(data['refresh_token']),
  };
}

async function newAccount(t: T, headers: Record<string, string> = {}): Promise<Account> {
  const fields = signUpFields();
  const response = await t.context.api.post('/user/data', fields, { headers });
  return {
    username: fields['username'] as string,
    password: fields['password'] as string,
    first: signedFrom(t, response),
  };
}

const login = (t: T, account: Account, headers: Record<string, string> = {}) =>
  t.context.api.post(
    '/api-token-auth/',
    { username: account.username, password: account.password },
    { headers },
  );

const refresh = (t: T, refreshToken: string) =>
  t.context.api.post('/api-token-refresh/', { refresh_token: refreshToken });

const ownProfile = (t: T, token: string) => t.context.api.get('/user/data', {}, { token });

const sessionsOf = (t: T, token: string) => t.context.api.get('/user/sessions', {}, { token });

function refused(t: T, response: ApiResponse, what: string): void {
  t.is(response.status, 401, `${what}: ${response.text}`);
  t.deepEqual(response.body, INVALID_TOKEN, what);
}

async function works(t: T, token: string, userId: number, what: string): Promise<void> {
  const response = await ownProfile(t, token);
  t.is(response.status, 200, `${what}: ${response.text}`);
  t.like(response.body, { data: { user_id: userId } }, what);
}

const sidOf = (token: string): unknown => (jwt.decode(token) as Record<string, unknown>)['sid'];

// --- what sign-in hands out ------------------------------------------------------------------

test('login keeps its answer and adds refresh_token after the kept fields', async (t) => {
  const account = await newAccount(t);
  const response = await login(t, account);
  t.is(response.status, 200, response.text);
  t.deepEqual(Object.keys(response.body), ['code', 'token', 'data']);
  const data = dataOf(response);
  t.deepEqual(Object.keys(data), ['token', 'user_id', 'expires_at', 'refresh_token']);
  t.is(response.body['token'], data['token'], 'the top-level token is the same token');
  t.regex(String(data['refresh_token']), REFRESH_TOKEN);
  t.not(data['refresh_token'], account.first.refreshToken);
  t.true(Number.isSafeInteger(sidOf(String(data['token']))), 'the access token names its session');
  t.not(sidOf(String(data['token'])), sidOf(account.first.token), 'each login is a new session');
});

test('sign-up keeps its answer and adds refresh_token after the kept fields', async (t) => {
  const response = await t.context.api.post('/user/data', signUpFields());
  t.is(response.status, 200, response.text);
  t.deepEqual(Object.keys(response.body), ['code', 'data']);
  const data = dataOf(response);
  t.deepEqual(Object.keys(data), ['user_id', 'token', 'expires_at', 'refresh_token']);
  t.regex(String(data['refresh_token']), REFRESH_TOKEN);
  t.true(Number.isSafeInteger(sidOf(String(data['token']))));
});

// --- POST /api-token-refresh/ ----------------------------------------------------------------

test('a refresh answers like a login: a new access token and a new refresh token of the same session', async (t) => {
  const { first } = await newAccount(t);
  const response = await refresh(t, first.refreshToken);
  t.is(response.status, 200, response.text);
  t.deepEqual(Object.keys(response.body), ['code', 'token', 'data']);
  const data = dataOf(response);
  t.deepEqual(Object.keys(data), ['token', 'user_id', 'expires_at', 'refresh_token']);
  t.is(response.body['token'], data['token']);
  t.is(data['user_id'], first.userId);
  t.true(Date.parse(String(data['expires_at'])) > Date.now());
  t.regex(String(data['refresh_token']), REFRESH_TOKEN);
  t.not(data['refresh_token'], first.refreshToken);
  t.is(sidOf(String(data['token'])), sidOf(first.token));
  await works(t, String(data['token']), first.userId, 'the new access token');
  await works(t, first.token, first.userId, 'the earlier access token, until it expires');

  // The next refresh takes the new refresh token, and so on.
  const next = signedFrom(t, await refresh(t, String(data['refresh_token'])));
  await works(t, next.token, first.userId, 'the token of the second refresh');
});

test('a refresh token used twice ends its whole session, and no other', async (t) => {
  const account = await newAccount(t);
  const other = signedFrom(t, await login(t, account));
  const { first } = account;
  const rotated = signedFrom(t, await refresh(t, first.refreshToken));

  refused(t, await refresh(t, first.refreshToken), 'the used refresh token');
  refused(t, await refresh(t, rotated.refreshToken), "the thief's or owner's next refresh token");
  refused(t, await ownProfile(t, rotated.token), 'the access token of the rotation');
  refused(t, await ownProfile(t, first.token), 'the first access token');

  await works(t, other.token, first.userId, 'another session of the same user');
  signedFrom(t, await refresh(t, other.refreshToken));
});

test('unknown, malformed and missing refresh tokens', async (t) => {
  const { first } = await newAccount(t);
  refused(t, await refresh(t, 'x'.repeat(43)), 'an unknown token');
  refused(t, await refresh(t, first.token), 'an access token in place of a refresh token');
  refused(t, await refresh(t, 'ü'.repeat(5000)), 'a long one');

  const missing = await t.context.api.post('/api-token-refresh/', {});
  t.is(missing.status, 400);
  t.deepEqual(missing.body, {
    code: 'PAR_01',
    message: 'Missing HTTP param.',
    field: 'refresh_token',
  });
  const wrongType = await t.context.api.post(
    '/api-token-refresh/',
    { refresh_token: 7 },
    { as: 'json' },
  );
  t.is(wrongType.status, 400);
  t.like(wrongType.body, { code: 'USR_02', field: 'refresh_token' });

  // None of it touched the real session.
  signedFrom(t, await refresh(t, first.refreshToken));
});

test('a refresh needs no Authorization header, and a bad one does not stop it', async (t) => {
  const { first } = await newAccount(t);
  const response = await t.context.api.post(
    '/api-token-refresh/',
    { refresh_token: first.refreshToken },
    { token: 'not.a.token' },
  );
  signedFrom(t, response);
});

test('concurrent refreshes with one token: exactly one succeeds, and the session ends', async (t) => {
  const { first } = await newAccount(t);
  const answers = await Promise.all(
    Array.from({ length: 8 }, () => refresh(t, first.refreshToken)),
  );
  const won = answers.filter((answer) => answer.status === 200);
  t.is(won.length, 1, answers.map((answer) => answer.status).join(','));
  for (const answer of answers.filter((candidate) => candidate.status !== 200)) {
    refused(t, answer, 'a losing refresh');
  }
  // The losers presented a used token: the theft signal ends the session, the winner's too.
  const winner = signedFrom(t, won[0] as ApiResponse);
  refused(t, await refresh(t, winner.refreshToken), "the winner's refresh token");
  refused(t, await ownProfile(t, winner.token), "the winner's access token");
});

// --- GET /user/sessions ----------------------------------------------------------------------

test('GET /user/sessions lists live sessions newest first, with the device and which is current', async (t) => {
  const account = await newAccount(t, { 'user-agent': 'PhoneApp/1.0 (Android 14)' });
  const laptop = signedFrom(
    t,
    await login(t, account, { 'user-agent': `  Laptop\t\tBrowser/2.0 ${'x'.repeat(400)}` }),
  );
  const response = await sessionsOf(t, laptop.token);
  t.is(response.status, 200, response.text);
  const { sessions } = dataOf(response) as {
    sessions: Array<Record<string, unknown>>;
  };
  t.is(sessions.length, 2);
  const [newest, oldest] = sessions as [Record<string, unknown>, Record<string, unknown>];
  t.deepEqual(Object.keys(newest), ['session_id', 'device', 'created', 'last_used', 'current']);
  t.is(newest['session_id'], sidOf(laptop.token));
  t.is(newest['current'], true);
  const device = String(newest['device']);
  t.true(device.startsWith('Laptop Browser/2.0 xxx'), device);
  t.is(Array.from(device).length, 200, 'cut to 200 characters');
  t.is(oldest['session_id'], sidOf(account.first.token));
  t.is(oldest['device'], 'PhoneApp/1.0 (Android 14)');
  t.is(oldest['current'], false);

  // A refresh moves last_used on; created stays.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const refreshed = signedFrom(t, await refresh(t, account.first.refreshToken));
  const after = (
    dataOf(await sessionsOf(t, refreshed.token)) as {
      sessions: Array<Record<string, unknown>>;
    }
  ).sessions;
  const phone = after.find((session) => session['session_id'] === oldest['session_id']);
  t.is(phone?.['created'], oldest['created']);
  t.true(String(phone?.['last_used']) > String(oldest['last_used']));
  t.is(phone?.['current'], true);
});

test('GET /user/sessions shows only your own sessions and needs a token', async (t) => {
  const [ada, bob] = await Promise.all([newAccount(t), newAccount(t)]);
  const adaSessions = (
    dataOf(await sessionsOf(t, ada.first.token)) as {
      sessions: Array<Record<string, unknown>>;
    }
  ).sessions;
  t.deepEqual(
    adaSessions.map((session) => session['session_id']),
    [sidOf(ada.first.token)],
  );
  t.false(adaSessions.some((session) => session['session_id'] === sidOf(bob.first.token)));
  refused(t, await t.context.api.get('/user/sessions'), 'no token');
});

// --- POST /user/logout -----------------------------------------------------------------------

test('POST /user/logout ends this session only: its access and refresh tokens stop working', async (t) => {
  const account = await newAccount(t);
  const other = signedFrom(t, await login(t, account));
  const { first } = account;
  const rotated = signedFrom(t, await refresh(t, first.refreshToken));

  const response = await t.context.api.post('/user/logout', {}, { token: rotated.token });
  t.is(response.status, 200, response.text);
  t.deepEqual(response.body, { code: 'OK' });

  refused(t, await ownProfile(t, rotated.token), 'the access token that logged out');
  refused(t, await ownProfile(t, first.token), 'an earlier access token of the session');
  refused(t, await refresh(t, rotated.refreshToken), 'its refresh token');
  refused(t, await t.context.api.post('/user/logout', {}, { token: rotated.token }), 'again');

  await works(t, other.token, first.userId, 'the other session');
  const left = (
    dataOf(await sessionsOf(t, other.token)) as {
      sessions: Array<Record<string, unknown>>;
    }
  ).sessions;
  t.deepEqual(
    left.map((session) => session['session_id']),
    [sidOf(other.token)],
  );
});

// --- sessions end with logout-all and a password change ---------------------------------------

test('POST /user/logout-all ends every session: refresh tokens stop working too', async (t) => {
  const account = await newAccount(t);
  const other = signedFrom(t, await login(t, account));
  const response = await t.context.api.post('/user/logout-all', {}, { token: other.token });
  t.is(response.status, 200, response.text);
  refused(t, await refresh(t, account.first.refreshToken), 'the first refresh token');
  refused(t, await refresh(t, other.refreshToken), 'the other refresh token');

  const again = signedFrom(t, await login(t, account));
  const left = (
    dataOf(await sessionsOf(t, again.token)) as {
      sessions: Array<Record<string, unknown>>;
    }
  ).sessions;
  t.deepEqual(
    left.map((session) => session['session_id']),
    [sidOf(again.token)],
  );
});

test('POST /user/password ends every session and answers a new one that refreshes', async (t) => {
  const account = await newAccount(t);
  const other = signedFrom(t, await login(t, account));
  const response = await t.context.api.post(
    '/user/password',
    { old_password: account.password, new_password: strongPassword() },
    { token: account.first.token },
  );
  const changed = signedFrom(t, response);
  t.deepEqual(Object.keys(dataOf(response)), ['token', 'user_id', 'expires_at', 'refresh_token']);
  refused(t, await refresh(t, account.first.refreshToken), 'the caller’s old refresh token');
  refused(t, await refresh(t, other.refreshToken), 'another device’s refresh token');
  const left = (
    dataOf(await sessionsOf(t, changed.token)) as {
      sessions: Array<Record<string, unknown>>;
    }
  ).sessions;
  t.deepEqual(
    left.map((session) => [session['session_id'], session['current']]),
    [[sidOf(changed.token), true]],
  );
  const refreshed = signedFrom(t, await refresh(t, changed.refreshToken));
  await works(t, refreshed.token, account.first.userId, 'after the change and a refresh');
});

// --- tokens from before sessions --------------------------------------------------------------

inProcessOnly(test)?.(
  'a token without a session (issued before sessions) keeps working; logging it out ends nothing',
  async (t) => {
    const ada = await signUp(t.context.api);
    const now = Math.floor(Date.now() / 1000);
    const legacy = jwt.sign({ iat: now, exp: now + 600, ver: 0 }, TEST_JWT_SECRET, {
      algorithm: 'HS256',
      subject: String(ada.userId),
    });
    await works(t, legacy, ada.userId, 'the old token');
    const listed = await sessionsOf(t, legacy);
    t.is(listed.status, 200, listed.text);
    const { sessions } = dataOf(listed) as { sessions: Array<Record<string, unknown>> };
    t.is(sessions.length, 1, 'the sign-up’s session');
    t.false(sessions.some((session) => session['current'] === true));

    const response = await t.context.api.post('/user/logout', {}, { token: legacy });
    t.deepEqual(response.body, { code: 'OK' });
    await works(t, legacy, ada.userId, 'the old token after /user/logout');
    await works(t, ada.token, ada.userId, 'the sign-up’s session');
  },
);

inProcessOnly(test)?.('an access token naming a session of another user is refused', async (t) => {
  const [ada, bob] = await Promise.all([signUp(t.context.api), signUp(t.context.api)]);
  const now = Math.floor(Date.now() / 1000);
  const forged = jwt.sign(
    { iat: now, exp: now + 600, ver: 0, sid: sidOf(bob.token) },
    TEST_JWT_SECRET,
    { algorithm: 'HS256', subject: String(ada.userId) },
  );
  refused(t, await ownProfile(t, forged), "ada's token with bob's session");
  for (const sid of [0, -1, 1.5, '7', 2 ** 31]) {
    const odd = jwt.sign({ iat: now, exp: now + 600, ver: 0, sid }, TEST_JWT_SECRET, {
      algorithm: 'HS256',
      subject: String(ada.userId),
    });
    refused(t, await ownProfile(t, odd), `sid ${String(sid)}`);
  }
});

inProcessOnly(test)?.('no token or refresh token is ever logged', async (t) => {
  const account = await newAccount(t);
  const rotated = signedFrom(t, await refresh(t, account.first.refreshToken));
  await refresh(t, account.first.refreshToken);
  await t.context.api.post('/user/logout', {}, { token: rotated.token });
  const logs = t.context.target.logs();
  t.true(logs.includes('a used refresh token came back'), 'the reuse is logged');
  for (const secret of [account.first.refreshToken, rotated.refreshToken, rotated.token]) {
    t.false(logs.includes(secret));
  }
});
