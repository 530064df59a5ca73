import test, { type ExecutionContext } from 'ava';
import { createClient, PlazaApiError } from '@plaza/client-sdk';
import type { PlazaOptions } from '@plaza/core';
import type { ServerOptions } from '@plaza/server-koa';
import { signUp, uniqueUsername } from '../support/builders.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startInProcessTarget } from '../support/apiTarget.js';

const WRONG_CREDENTIALS = {
  code: 'AUT_02',
  message: 'Unable to log in with provided credentials.',
};
const TOO_MANY_LOGINS = { code: 'AUT_03', message: 'Too many failed logins; try again later.' };

/** A server of this test's own (the counters live in its database), and a client for it. */
async function serverFor(
  t: ExecutionContext,
  plaza: Partial<PlazaOptions> = {},
  server: ServerOptions = {},
): Promise<Api> {
  const target = await startInProcessTarget(plaza, server);
  t.teardown(() => target.close());
  return new Api(target.baseUrl);
}

const login = (api: Api, username: string, password: string, forwardedFor?: string) =>
  api.post(
    '/api-token-auth/',
    { username, password },
    forwardedFor === undefined ? {} : { headers: { 'x-forwarded-for': forwardedFor } },
  );

function refusedAsWrong(t: ExecutionContext, response: ApiResponse): void {
  t.is(response.status, 401);
  t.deepEqual(response.body, WRONG_CREDENTIALS);
  t.is(response.headers.get('retry-after'), null);
}

function refusedAsLocked(t: ExecutionContext, response: ApiResponse, retryAfter?: number): void {
  t.is(response.status, 429);
  t.deepEqual(response.body, TOO_MANY_LOGINS, 'SPEC’s error format, and no field');
  const header = Number(response.headers.get('retry-after'));
  if (retryAfter === undefined) t.true(Number.isInteger(header) && header > 0, String(header));
  else t.is(header, retryAfter);
}

test('five wrong passwords, then AUT_03 429 with Retry-After for the right one too', async (t) => {
  const api = await serverFor(t);
  const ada = await signUp(api);
  for (let i = 0; i < 5; i += 1) refusedAsWrong(t, await login(api, ada.username, 'wrong-pw-1'));
  refusedAsLocked(t, await login(api, ada.username, ada.password), 900);
  refusedAsLocked(t, await login(api, ada.username.toUpperCase(), ada.password), 900);

  const other = await signUp(api);
  t.is((await login(api, other.username, other.password)).status, 200, 'other users log in');
});

test('an unknown username gets the same answers as a known one: AUT_02, then AUT_03', async (t) => {
  const api = await serverFor(t);
  const nobody = uniqueUsername('nobody');
  for (let i = 0; i < 5; i += 1) refusedAsWrong(t, await login(api, nobody, 'wrong-pw-1'));
  refusedAsLocked(t, await login(api, nobody, 'wrong-pw-1'), 900);
});

test('a successful login clears the count', async (t) => {
  const api = await serverFor(t);
  const ada = await signUp(api);
  for (let i = 0; i < 4; i += 1) refusedAsWrong(t, await login(api, ada.username, 'wrong-pw-1'));
  t.is((await login(api, ada.username, ada.password)).status, 200);
  for (let i = 0; i < 4; i += 1) refusedAsWrong(t, await login(api, ada.username, 'wrong-pw-1'));
  t.is((await login(api, ada.username, ada.password)).status, 200);
});

test('by default X-Forwarded-For is ignored: spoofed addresses all count against the socket', async (t) => {
  const api = await serverFor(t, { loginThrottle: { ipMaxFailures: 3 } });
  for (let i = 1; i <= 3; i += 1) {
    refusedAsWrong(t, await login(api, uniqueUsername(), 'wrong-pw-1', `203.0.113.${i}`));
  }
  refusedAsLocked(t, await login(api, uniqueUsername(), 'wrong-pw-1', '198.51.100.77'), 900);
  refusedAsLocked(t, await login(api, uniqueUsername(), 'wrong-pw-1'), 900);
});

test('with trustProxy, the address the proxy saw is the client, whatever the client prepends', async (t) => {
  const api = await serverFor(t, { loginThrottle: { ipMaxFailures: 3 } }, { trustProxy: true });
  const ada = await signUp(api);
  const sprayer = '203.0.113.5';
  for (let i = 1; i <= 3; i += 1) {
    // The client's own X-Forwarded-For entry comes first; the proxy appends what it saw.
    refusedAsWrong(t, await login(api, uniqueUsername(), 'wrong-pw-1', `10.9.9.${i}, ${sprayer}`));
  }
  refusedAsLocked(t, await login(api, ada.username, ada.password, sprayer), 900);
  refusedAsLocked(t, await login(api, ada.username, ada.password, `198.51.100.1, ${sprayer}`));
  t.is((await login(api, ada.username, ada.password, '203.0.113.6')).status, 200);
  t.is((await login(api, ada.username, ada.password, `${sprayer}, 203.0.113.6`)).status, 200);
  // Without the header (not through the proxy), the socket's address.
  t.is((await login(api, ada.username, ada.password)).status, 200);
});

test('with two trusted proxies, the second address from the right is the client', async (t) => {
  const api = await serverFor(t, { loginThrottle: { ipMaxFailures: 2 } }, { trustProxy: 2 });
  const ada = await signUp(api);
  for (let i = 1; i <= 2; i += 1) {
    refusedAsWrong(
      t,
      await login(api, uniqueUsername(), 'wrong-pw-1', `10.0.0.${i}, 203.0.113.5, 10.1.1.${i}`),
    );
  }
  refusedAsLocked(t, await login(api, ada.username, ada.password, '203.0.113.5, 10.1.1.9'));
  t.is((await login(api, ada.username, ada.password, '203.0.113.6, 10.1.1.1')).status, 200);
});

test('the SDK gives AUT_03 as a PlazaApiError with the Retry-After in seconds', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  const client = createClient(target.baseUrl);
  const username = uniqueUsername('sdk');
  for (let i = 0; i < 5; i += 1) {
    const wrong = await t.throwsAsync(client.auth.login(username, 'wrong-pw-1'), {
      instanceOf: PlazaApiError,
    });
    t.like(wrong, { code: 'AUT_02', status: 401, retryAfterSeconds: undefined });
  }
  const locked = await t.throwsAsync(client.auth.login(username, 'wrong-pw-1'), {
    instanceOf: PlazaApiError,
  });
  t.like(locked, { code: 'AUT_03', status: 429, retryAfterSeconds: 900 });
});
