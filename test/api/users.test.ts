import anyTest, { type TestFn } from 'ava';
import { signUp } from '../support/builders.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

test('a public profile hides the email; the own profile shows it', async (t) => {
  const ada = await signUp(t.context.api, { first_name: 'Ada', city: 'London' });
  const bob = await signUp(t.context.api);

  const seenByBob = await t.context.api.get(
    '/user/data',
    { user_id: ada.userId },
    { token: bob.token },
  );
  t.is(seenByBob.status, 200);
  const publicProfile = seenByBob.body['data'] as Record<string, unknown>;
  t.like(publicProfile, {
    user_id: ada.userId,
    username: ada.username,
    first_name: 'Ada',
    city: 'London',
  });
  t.false('email' in publicProfile);
  t.false(JSON.stringify(seenByBob.body).includes(ada.email));
  t.false(JSON.stringify(seenByBob.body).toLowerCase().includes('password'));

  const anonymous = await t.context.api.get('/user/data', { user_id: ada.userId });
  t.false('email' in (anonymous.body['data'] as object));

  const own = await t.context.api.get('/user/data', { user_id: ada.userId }, { token: ada.token });
  t.is((own.body['data'] as { email: string }).email, ada.email);
  const ownWithoutId = await t.context.api.get('/user/data', {}, { token: ada.token });
  t.deepEqual(ownWithoutId.body, own.body);
});

test('profile of an unknown user → USR_01; no id and no token → AUT_01', async (t) => {
  const unknown = await t.context.api.get('/user/data', { user_id: 987654321 });
  t.is(unknown.status, 404);
  t.deepEqual(unknown.body, { code: 'USR_01', message: 'Object not found.' });
  const nobody = await t.context.api.get('/user/data');
  t.is(nobody.status, 401);
  t.is(nobody.body['code'], 'AUT_01');
});
