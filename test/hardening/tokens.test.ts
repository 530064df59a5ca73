import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import jwt from 'jsonwebtoken';
import { PlazaApiError } from '@plaza/client-sdk';
import { TOKEN_REVOKED_CLOSE_CODE } from '@plaza/server-koa';
import {
  startInProcessTarget,
  TEST_JWT_SECRET,
  type InProcessTarget,
} from '../support/apiTarget.js';
import { createPost, signUp, strongPassword, type SignedUpUser } from '../support/builders.js';
import { Api, type ApiResponse } from '../support/http.js';
import {
  openAuthenticated,
  openAuthenticatedJson,
  openWatchSocket,
} from '../support/watchSocket.js';
import { signedUpClient } from '../sdk/support/clients.js';
import { nextEvent } from '../sdk/support/liveEvents.js';

/** Token versions: `POST /user/password`, `POST /user/logout-all`, and what they revoke. */

interface Context {
  readonly target: InProcessTarget;
  readonly api: Api;
}

const test = anyTest as TestFn<Context>;
type T = ExecutionContext<Context>;

test.before(async (t) => {
  const target = await startInProcessTarget();
  t.context = { target, api: new Api(target.baseUrl) };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

const INVALID_TOKEN = { code: 'AUT_01', message: 'The auth token is invalid.', field: 'TOKEN' };
const WRONG_CREDENTIALS = {
  code: 'AUT_02',
  message: 'Unable to log in with provided credentials.',
};

const changePassword = (t: T, token: string, params: Record<string, string>) =>
  t.context.api.post('/user/password', params, { token });

const logoutAll = (t: T, token: string) => t.context.api.post('/user/logout-all', {}, { token });

const ownProfile = (t: T, token: string) => t.context.api.get('/user/data', {}, { token });

const login = (t: T, username: string, password: string) =>
  t.context.api.post('/api-token-auth/', { username, password });

function refusedToken(t: T, response: ApiResponse): void {
  t.is(response.status, 401);
  t.deepEqual(response.body, INVALID_TOKEN);
}

async function tokenWorks(t: T, user: SignedUpUser, token: string): Promise<void> {
  const response = await ownProfile(t, token);
  t.is(response.status, 200, response.text);
  t.like(response.body, { code: 'OK', data: { user_id: user.userId } });
}

// --- POST /user/password ---------------------------------------------------------------------

test('POST /user/password answers a fresh session; every earlier token is refused', async (t) => {
  const ada = await signUp(t.context.api);
  const loggedIn = await login(t, ada.username, ada.password);
  const earlier = (loggedIn.body['data'] as { token: string }).token;
  const newPassword = strongPassword();

  const response = await changePassword(t, ada.token, {
    old_password: ada.password,
    new_password: newPassword,
  });

  t.is(response.status, 200, response.text);
  t.deepEqual(Object.keys(response.body), ['code', 'data']);
  t.is(response.body['code'], 'OK');
  const data = response.body['data'] as Record<string, unknown>;
  t.deepEqual(Object.keys(data).sort(), ['expires_at', 'refresh_token', 'token', 'user_id']);
  t.is(data['user_id'], ada.userId);
  t.true(Date.parse(String(data['expires_at'])) > Date.now());
  await tokenWorks(t, ada, String(data['token']));

  refusedToken(t, await ownProfile(t, ada.token));
  refusedToken(t, await ownProfile(t, earlier));
  refusedToken(
    t,
    await t.context.api.post('/post/data', { title: 'x', text: 'y' }, { token: earlier }),
  );
  const verified = await t.context.api.post('/api-token-verify/', { token: ada.token });
  t.is(verified.status, 401);
  t.like(verified.body, { code: 'AUT_01' });

  const withOld = await login(t, ada.username, ada.password);
  t.is(withOld.status, 401);
  t.deepEqual(withOld.body, WRONG_CREDENTIALS);
  t.is((await login(t, ada.username, newPassword)).status, 200);
});

test('POST /user/password takes a JSON body too', async (t) => {
  const ada = await signUp(t.context.api);
  const response = await t.context.api.post(
    '/user/password',
    { old_password: ada.password, new_password: strongPassword() },
    { token: ada.token, as: 'json', scheme: 'Bearer' },
  );
  t.is(response.status, 200, response.text);
  refusedToken(t, await ownProfile(t, ada.token));
});

test('POST /user/password: a wrong old password is AUT_02, a weak new one USR_04; nothing changes', async (t) => {
  const ada = await signUp(t.context.api);
  const wrong = await changePassword(t, ada.token, {
    old_password: `${ada.password}x`,
    new_password: strongPassword(),
  });
  t.is(wrong.status, 401);
  t.deepEqual(wrong.body, WRONG_CREDENTIALS, 'the login answer, with no field');

  const weak = await changePassword(t, ada.token, {
    old_password: ada.password,
    new_password: 'xx',
  });
  t.is(weak.status, 400);
  t.deepEqual(weak.body, {
    code: 'USR_04',
    message: 'Password too weak.',
    field: 'new_password',
    hint: 'Too short. Use at least 8 characters.',
  });
  const likeName = await changePassword(t, ada.token, {
    old_password: ada.password,
    new_password: `${ada.username}-1`,
  });
  t.is(likeName.status, 400);
  t.like(likeName.body, {
    code: 'USR_04',
    field: 'new_password',
    hint: 'Too like your username or email address.',
  });

  await tokenWorks(t, ada, ada.token);
  t.is((await login(t, ada.username, ada.password)).status, 200, 'the old password still works');
});

test('POST /user/password: missing parameters are PAR_01 naming them', async (t) => {
  const ada = await signUp(t.context.api);
  for (const [params, field] of [
    [{ new_password: strongPassword() }, 'old_password'],
    [{ old_password: ada.password }, 'new_password'],
    [{ old_password: '', new_password: strongPassword() }, 'old_password'],
  ] as const) {
    const response = await changePassword(t, ada.token, params);
    t.is(response.status, 400);
    t.deepEqual(response.body, { code: 'PAR_01', message: 'Missing HTTP param.', field });
  }
  await tokenWorks(t, ada, ada.token);
});

test('POST /user/password and /user/logout-all need a valid token', async (t) => {
  const ada = await signUp(t.context.api);
  for (const path of ['/user/password', '/user/logout-all']) {
    refusedToken(
      t,
      await t.context.api.post(path, {
        old_password: ada.password,
        new_password: strongPassword(),
      }),
    );
    refusedToken(t, await t.context.api.post(path, {}, { token: 'not.a.token' }));
  }
  await tokenWorks(t, ada, ada.token);
});

// --- POST /user/logout-all -------------------------------------------------------------------

test('POST /user/logout-all answers OK and revokes every token of that user only', async (t) => {
  const [ada, bob] = await Promise.all([signUp(t.context.api), signUp(t.context.api)]);
  const second = (await login(t, ada.username, ada.password)).body['data'] as { token: string };

  const response = await logoutAll(t, ada.token);
  t.is(response.status, 200, response.text);
  t.deepEqual(response.body, { code: 'OK' });

  refusedToken(t, await ownProfile(t, ada.token));
  refusedToken(t, await ownProfile(t, second.token));
  refusedToken(t, await logoutAll(t, ada.token));
  await tokenWorks(t, bob, bob.token);

  const again = await login(t, ada.username, ada.password);
  t.is(again.status, 200, 'the password is unchanged');
  await tokenWorks(t, ada, (again.body['data'] as { token: string }).token);
});

// --- WebSocket sessions ----------------------------------------------------------------------

test('logout-all closes the JSON and text sockets of the old token, not another user’s', async (t) => {
  const { baseUrl } = t.context.target;
  const [ada, bob] = await Promise.all([signUp(t.context.api), signUp(t.context.api)]);
  const adaJson = await openAuthenticatedJson(baseUrl, ada.token, ada.userId);
  const adaText = await openAuthenticated(baseUrl, ada.token, ada.userId);
  const bobText = await openAuthenticated(baseUrl, bob.token, bob.userId);
  t.teardown(() => {
    for (const socket of [adaJson, adaText, bobText]) socket.socket.terminate();
  });

  t.is((await logoutAll(t, ada.token)).status, 200);

  const expected = { code: TOKEN_REVOKED_CLOSE_CODE, reason: 'token revoked' };
  t.is(TOKEN_REVOKED_CLOSE_CODE, 4001);
  t.deepEqual(await adaJson.closed(), expected);
  t.deepEqual(await adaText.closed(), expected);
  t.is(adaJson.pending + adaText.pending, 0, 'no frame before the close');

  bobText.send(`/auth ${bob.token}`);
  t.is(await bobText.next(), `ok: user_id=${bob.userId}`, 'the other user’s socket stays open');

  const retry = await openWatchSocket(baseUrl);
  t.teardown(() => retry.socket.terminate());
  retry.send(`/auth ${ada.token}`);
  t.is(await retry.next(), 'error: cannot authenticate', 'the old token opens no new session');
});

test('a password change closes the sockets of older tokens; the new token authenticates', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signUp(t.context.api);
  const old = await openAuthenticatedJson(baseUrl, ada.token, ada.userId);
  t.teardown(() => old.socket.terminate());

  const response = await changePassword(t, ada.token, {
    old_password: ada.password,
    new_password: strongPassword(),
  });
  const { token } = response.body['data'] as { token: string };
  t.deepEqual(await old.closed(), { code: 4001, reason: 'token revoked' });

  const fresh = await openAuthenticatedJson(baseUrl, token, ada.userId);
  t.teardown(() => fresh.socket.terminate());
  await fresh.expectNoMessage(100);
  t.is(fresh.socket.readyState, fresh.socket.OPEN);
});

// --- the SDK ---------------------------------------------------------------------------------

test('SDK changePassword keeps live events going with the new token', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signedUpClient(t, baseUrl);
  const bob = await signedUpClient(t, baseUrl);
  const postId = (await ada.client.posts.create({ title: 'Still here?', text: '.' })).post_id;
  await ada.client.events.connect();
  const oldToken = ada.client.auth.currentToken();
  const changes: Array<string | undefined> = [];
  ada.client.auth.onChange((token) => changes.push(token));
  const dropped = nextEvent(ada.client.events, 'disconnected');
  const readyAgain = nextEvent(ada.client.events, 'ready');

  const newPassword = strongPassword();
  const session = await ada.client.auth.changePassword(ada.input.password, newPassword);

  t.is(session.user_id, ada.session.user_id);
  t.is(ada.client.auth.currentToken(), session.token);
  t.deepEqual(changes, [session.token], 'onChange heard the new token');
  t.like(await dropped, { code: 4001, reason: 'token revoked' });
  t.deepEqual(await readyAgain, { user_id: ada.session.user_id });
  t.is(ada.client.events.state, 'open');

  const liked = nextEvent(ada.client.events, 'post.liked');
  await bob.client.likes.like(postId);
  t.like(await liked, {
    post_id: postId,
    likes: 1,
  });

  const refused = await t.throwsAsync(ada.client.auth.verify(oldToken), {
    instanceOf: PlazaApiError,
  });
  t.is(refused.code, 'AUT_01');
  t.is((await ada.client.users.me()).user_id, ada.session.user_id, 'the client is signed in');
});

test('SDK changePassword errors: AUT_02 for a wrong old password, USR_04 on new_password', async (t) => {
  const ada = await signedUpClient(t, t.context.target.baseUrl);
  const token = ada.client.auth.currentToken();
  const wrong = await t.throwsAsync(
    ada.client.auth.changePassword('not-it-at-all', strongPassword()),
    {
      instanceOf: PlazaApiError,
    },
  );
  t.is(wrong.code, 'AUT_02');
  const weak = await t.throwsAsync(ada.client.auth.changePassword(ada.input.password, 'xx'), {
    instanceOf: PlazaApiError,
  });
  t.like(weak, {
    code: 'USR_04',
    field: 'new_password',
    status: 400,
    hint: 'Too short. Use at least 8 characters.',
  });
  t.is(ada.client.auth.currentToken(), token, 'the token is kept');
});

test('SDK logoutAll ends live events and forgets the token; the old token is refused', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signedUpClient(t, baseUrl);
  await ada.client.events.connect();
  const oldToken = ada.session.token;

  await ada.client.auth.logoutAll();

  t.is(ada.client.auth.currentToken(), undefined);
  t.not(ada.client.events.state, 'open');
  refusedToken(t, await ownProfile(t, oldToken));
});

test('likes of a revoked token are refused too (the hot path checks the version)', async (t) => {
  const [ada, bob] = await Promise.all([signUp(t.context.api), signUp(t.context.api)]);
  const postId = await createPost(t.context.api, bob.token);
  t.is(
    (await t.context.api.post('/post/like', { post_id: postId }, { token: ada.token })).status,
    200,
  );
  await logoutAll(t, ada.token);
  refusedToken(
    t,
    await t.context.api.post('/post/unlike', { post_id: postId }, { token: ada.token }),
  );
});

// --- lifetimes ----------------------------------------------------------------------------

/** The claims of a token Plaza issued, re-signed with the server's own secret as changed. */
function resigned(token: string, change: (claims: jwt.JwtPayload) => jwt.JwtPayload): string {
  const claims = change({ ...(jwt.decode(token) as jwt.JwtPayload) });
  // jsonwebtoken adds an `iat` of now unless told not to.
  return jwt.sign(claims, TEST_JWT_SECRET, { algorithm: 'HS256', noTimestamp: !('iat' in claims) });
}

const now = (): number => Math.floor(Date.now() / 1000);
/** 2500-01-01: what the attack's token claimed. */
const YEAR_2500 = Math.floor(Date.UTC(2500, 0, 1) / 1000);

/** The token is refused over HTTP (AUT_01) and by both `/user-watch` protocols. */
async function refusedEverywhere(t: T, token: string): Promise<void> {
  refusedToken(t, await ownProfile(t, token));
  const verify = await t.context.api.post('/api-token-verify/', { token });
  refusedToken(t, verify);
  const text = await openWatchSocket(t.context.target.baseUrl);
  t.teardown(() => text.close());
  text.send(`/auth ${token}`);
  t.is(await text.next(), 'error: cannot authenticate');
  const json = await openWatchSocket(t.context.target.baseUrl, { format: 'json' });
  t.teardown(() => json.close());
  json.send(JSON.stringify({ type: 'auth', token }));
  t.deepEqual(await json.nextJson(), {
    type: 'error',
    code: 'AUT_01',
    message: 'The auth token is invalid.',
  });
}

test('a token signed with the real secret that claims to live until 2500 is refused', async (t) => {
  const ada = await signUp(t.context.api);
  const forever = resigned(ada.token, (claims) => ({ ...claims, iat: now(), exp: YEAR_2500 }));

  await refusedEverywhere(t, forever);
  // The token it was made from is untouched.
  await tokenWorks(t, ada, ada.token);
  await openAuthenticated(t.context.target.baseUrl, ada.token, ada.userId).then((c) => c.close());
});

test('a token that outlives the configured lifetime by a minute is refused; one within it works', async (t) => {
  const ada = await signUp(t.context.api);
  const { iat, exp } = jwt.decode(ada.token) as { iat: number; exp: number };
  const lifetime = exp - iat;

  await refusedEverywhere(
    t,
    resigned(ada.token, (claims) => ({ ...claims, exp: exp + 60 })),
  );
  await tokenWorks(
    t,
    ada,
    resigned(ada.token, (claims) => ({ ...claims, iat: iat - 60, exp: exp - 60 })),
  );
  t.true(lifetime > 60, 'the lifetime is the configured one');
});

test('a token without iat, or issued in the future, is refused: its lifetime cannot be told', async (t) => {
  const ada = await signUp(t.context.api);
  const withoutIat = resigned(ada.token, ({ iat: _iat, ...claims }) => claims);
  await refusedEverywhere(t, withoutIat);

  // Issued "in 2499" for an hour: a lifetime within the limit, but valid for centuries.
  const inTheFuture = resigned(ada.token, (claims) => ({
    ...claims,
    iat: YEAR_2500 - 3600,
    exp: YEAR_2500,
  }));
  await refusedEverywhere(t, inTheFuture);
});
