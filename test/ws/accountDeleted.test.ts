import anyTest, { type TestFn } from 'ava';
import { ACCOUNT_DELETED_CLOSE_CODE } from '@plaza/server-koa';
import { signUp } from '../support/builders.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';
import {
  openAuthenticated,
  openAuthenticatedJson,
  openWatchSocket,
} from '../support/watchSocket.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

test('deleting an account closes its JSON and text sockets at once, not another user’s', async (t) => {
  const { baseUrl } = t.context.target;
  const [ada, bob] = await Promise.all([signUp(t.context.api), signUp(t.context.api)]);
  const adaJson = await openAuthenticatedJson(baseUrl, ada.token, ada.userId);
  const adaText = await openAuthenticated(baseUrl, ada.token, ada.userId);
  const bobJson = await openAuthenticatedJson(baseUrl, bob.token, bob.userId);
  t.teardown(() => {
    for (const socket of [adaJson, adaText, bobJson]) socket.socket.terminate();
  });

  const deleted = await t.context.api.post(
    '/user/delete',
    { password: ada.password },
    { token: ada.token },
  );
  t.is(deleted.status, 200);

  const expected = { code: ACCOUNT_DELETED_CLOSE_CODE, reason: 'account deleted' };
  t.is(ACCOUNT_DELETED_CLOSE_CODE, 4002);
  t.deepEqual(await adaJson.closed(), expected);
  t.deepEqual(await adaText.closed(), expected);
  t.is(adaJson.pending + adaText.pending, 0, 'no frame before the close');

  // The other user's socket is still served.
  bobJson.send(JSON.stringify({ type: 'auth', token: bob.token }));
  t.is(await bobJson.next(), JSON.stringify({ type: 'ready', user_id: bob.userId }));

  const retry = await openWatchSocket(baseUrl);
  t.teardown(() => retry.socket.terminate());
  retry.send(`/auth ${ada.token}`);
  t.is(await retry.next(), 'error: cannot authenticate', 'the token opens no new socket');
});
