import anyTest, { type TestFn } from 'ava';
import { isPlazaApiError, PlazaApiError } from '@plaza/client-sdk';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { uniqueUsername } from '../support/builders.js';
import { signedUpClient } from './support/clients.js';

/** client.activity.get against a real server whose ADMIN_USERNAMES names one account. */

const test = anyTest as TestFn<{ readonly target: InProcessTarget; readonly admin: string }>;

test.before(async (t) => {
  const admin = uniqueUsername('sdkboss');
  t.context = {
    target: await startInProcessTarget({ adminUsernames: [admin.toUpperCase()] }),
    admin,
  };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

test('your own activity: the sign-in, then each request; a login moves last_login', async (t) => {
  const { baseUrl } = t.context.target;
  const { client, session, input } = await signedUpClient(t, baseUrl);
  const first = await client.activity.get();
  t.is(first.user_id, session.user_id);
  t.is(typeof first.last_login, 'string');
  t.is(typeof first.last_request, 'string');
  t.deepEqual(Object.keys(first).sort(), ['last_login', 'last_request', 'user_id']);

  await new Promise((resolve) => setTimeout(resolve, 5));
  await client.auth.login(input.username, input.password);
  const second = await client.activity.get(session.user_id);
  t.true(Date.parse(second.last_login!) > Date.parse(first.last_login!));
  t.true(Date.parse(second.last_request!) > Date.parse(first.last_request!));
});

test('another person’s activity: AUT_04 for anyone, the answer for an admin, USR_01 for nobody', async (t) => {
  const { baseUrl } = t.context.target;
  const { client: ada } = await signedUpClient(t, baseUrl);
  const { client: boss } = await signedUpClient(t, baseUrl, { username: t.context.admin });
  const { session: bob } = await signedUpClient(t, baseUrl);

  const refused = await t.throwsAsync(ada.activity.get(bob.user_id), { instanceOf: PlazaApiError });
  t.true(isPlazaApiError(refused));
  t.like(refused, { code: 'AUT_04', status: 403, message: 'Not allowed.' });

  const bobs = await boss.activity.get(bob.user_id);
  t.is(bobs.user_id, bob.user_id);
  t.is(bobs.last_request, null, 'Bob has sent no request with a token');
  t.is(typeof bobs.last_login, 'string');

  const nobody = await t.throwsAsync(boss.activity.get(2 ** 31 - 1), {
    instanceOf: PlazaApiError,
  });
  t.like(nobody, { code: 'USR_01', status: 404 });
});
