import anyTest, { type TestFn } from 'ava';
import { TOKEN_REVOKED_CLOSE_CODE } from '@plaza/server-koa';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { signUpFields } from '../support/builders.js';
import { Api, type ApiResponse } from '../support/http.js';
import {
  openAuthenticated,
  openAuthenticatedJson,
  openWatchSocket,
} from '../support/watchSocket.js';

/** `/user-watch` sockets opened with a token of a session that ends (logout, reuse) close. */

interface Context {
  readonly target: InProcessTarget;
  readonly api: Api;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  const target = await startInProcessTarget();
  t.context = { target, api: new Api(target.baseUrl) };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

interface Signed {
  readonly userId: number;
  readonly token: string;
  readonly refreshToken: string;
}

function signed(response: ApiResponse): Signed {
  if (response.status !== 200) throw new Error(`${response.status} ${response.text}`);
  const data = response.body['data'] as Record<string, unknown>;
  return {
    userId: Number(data['user_id']),
    token: String(data['token']),
    refreshToken: String(data['refresh_token']),
  };
}

/** A user signed in on two devices. */
async function twoSessions(api: Api): Promise<[Signed, Signed]> {
  const fields = signUpFields();
  const phone = signed(await api.post('/user/data', fields));
  const laptop = signed(
    await api.post('/api-token-auth/', {
      username: fields['username'] as string,
      password: fields['password'] as string,
    }),
  );
  return [phone, laptop];
}

const REVOKED = { code: TOKEN_REVOKED_CLOSE_CODE, reason: 'token revoked' };

test('a logout closes the sockets of that session, JSON and text, and no other session’s', async (t) => {
  const { baseUrl } = t.context.target;
  const [phone, laptop] = await twoSessions(t.context.api);
  const phoneJson = await openAuthenticatedJson(baseUrl, phone.token, phone.userId);
  const phoneText = await openAuthenticated(baseUrl, phone.token, phone.userId);
  const laptopJson = await openAuthenticatedJson(baseUrl, laptop.token, laptop.userId);
  t.teardown(() => {
    for (const socket of [phoneJson, phoneText, laptopJson]) socket.socket.terminate();
  });

  const out = await t.context.api.post('/user/logout', {}, { token: phone.token });
  t.is(out.status, 200, out.text);

  t.deepEqual(await phoneJson.closed(), REVOKED);
  t.deepEqual(await phoneText.closed(), REVOKED);
  await laptopJson.expectNoMessage(200);
  t.is(laptopJson.socket.readyState, laptopJson.socket.OPEN, 'the other session’s socket stays');

  const retry = await openWatchSocket(baseUrl);
  t.teardown(() => retry.socket.terminate());
  retry.send(`/auth ${phone.token}`);
  t.is(await retry.next(), 'error: cannot authenticate', 'the ended session opens no socket');
});

test('a reused refresh token closes the sockets of its session, the rotated token’s too', async (t) => {
  const { baseUrl } = t.context.target;
  const [phone, laptop] = await twoSessions(t.context.api);
  const rotated = signed(
    await t.context.api.post('/api-token-refresh/', { refresh_token: phone.refreshToken }),
  );
  const before = await openAuthenticatedJson(baseUrl, phone.token, phone.userId);
  const after = await openAuthenticatedJson(baseUrl, rotated.token, phone.userId);
  const other = await openAuthenticated(baseUrl, laptop.token, laptop.userId);
  t.teardown(() => {
    for (const socket of [before, after, other]) socket.socket.terminate();
  });

  const reuse = await t.context.api.post('/api-token-refresh/', {
    refresh_token: phone.refreshToken,
  });
  t.is(reuse.status, 401);

  t.deepEqual(await before.closed(), REVOKED);
  t.deepEqual(await after.closed(), REVOKED);
  other.send(`/auth ${laptop.token}`);
  t.is(await other.next(), `ok: user_id=${laptop.userId}`, 'the other session’s socket answers');
});
