import anyTest, { type TestFn } from 'ava';
import { PlazaApiError, PlazaNetworkError, isPlazaApiError } from '@plaza/client-sdk';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { clientOf, signedUpClient, signUpInput } from './support/clients.js';

/** Sign-up, log-in, the token the client holds, and the server's auth errors as typed errors. */

const test = anyTest as TestFn<{ readonly target: InProcessTarget }>;

test.before(async (t) => {
  t.context = { target: await startInProcessTarget() };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

test('signup creates the user, signs the client in and tells onChange', async (t) => {
  const client = clientOf(t, t.context.target.baseUrl);
  const changes: Array<string | undefined> = [];
  client.auth.onChange((token) => changes.push(token));
  t.is(client.auth.currentToken(), undefined);

  const input = signUpInput({ city: 'Lyon', lat: 45.76 });
  const session = await client.auth.signup(input);

  t.true(Number.isSafeInteger(session.user_id) && session.user_id > 0);
  t.regex(session.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  t.regex(session.expires_at, ISO_DATE);
  t.is(client.auth.currentToken(), session.token);
  t.deepEqual(changes, [session.token]);
  const me = await client.users.me();
  t.like(me, {
    user_id: session.user_id,
    username: input.username,
    email: input.email,
    city: 'Lyon',
    lat: 45.76,
  });
});

test('login signs in, verify names the user, logout forgets the token here and ends its session', async (t) => {
  const { input, session } = await signedUpClient(t, t.context.target.baseUrl);
  const client = clientOf(t, t.context.target.baseUrl);
  const changes: Array<string | undefined> = [];
  const stop = client.auth.onChange((token) => changes.push(token));

  const login = await client.auth.login(input.username, input.password);
  t.is(login.user_id, session.user_id);
  t.regex(login.expires_at, ISO_DATE);
  t.is(client.auth.currentToken(), login.token);
  t.deepEqual(await client.auth.verify(), { user_id: session.user_id });
  t.deepEqual(await client.auth.verify(session.token), { user_id: session.user_id });
  t.is((await client.users.me()).username, input.username);

  const loggingOut = client.auth.logout();
  // Forgotten here at once; the session ends on the server when the promise settles.
  t.is(client.auth.currentToken(), undefined);
  t.deepEqual(changes, [login.token, undefined]);
  const error = await t.throwsAsync(client.users.me(), { instanceOf: PlazaApiError });
  t.is(error.code, 'AUT_01');
  t.is(error.status, 401);
  t.is(error.field, 'TOKEN');
  t.is(error.message, 'The auth token is invalid.');

  await loggingOut;
  client.auth.setToken(login.token);
  t.is((await t.throwsAsync(client.users.me(), { instanceOf: PlazaApiError })).code, 'AUT_01');

  stop();
  const elsewhere = await clientOf(t, t.context.target.baseUrl).auth.login(
    input.username,
    input.password,
  );
  client.auth.setToken(elsewhere.token);
  t.deepEqual(
    changes,
    [login.token, undefined, login.token],
    'an unsubscribed listener hears nothing more',
  );
  t.is((await client.users.me()).user_id, session.user_id, 'setToken signs in again');
});

test('a token from an earlier session is used from the start', async (t) => {
  const { session } = await signedUpClient(t, t.context.target.baseUrl);
  const client = clientOf(t, t.context.target.baseUrl, { token: session.token });
  t.is(client.auth.currentToken(), session.token);
  t.is((await client.users.me()).user_id, session.user_id);
});

test('a wrong password is AUT_02 401, and the client stays signed out', async (t) => {
  const { input } = await signedUpClient(t, t.context.target.baseUrl);
  const client = clientOf(t, t.context.target.baseUrl);
  const error = await t.throwsAsync(client.auth.login(input.username, `${input.password}x`), {
    instanceOf: PlazaApiError,
  });
  t.is(error.code, 'AUT_02');
  t.is(error.status, 401);
  t.true(isPlazaApiError(error));
  t.false(error instanceof PlazaNetworkError);
  t.is(client.auth.currentToken(), undefined);
});

test('verify of a forged token is AUT_01; with no token at all, PAR_01', async (t) => {
  const client = clientOf(t, t.context.target.baseUrl);
  const error = await t.throwsAsync(client.auth.verify('forged.token.value'), {
    instanceOf: PlazaApiError,
  });
  t.is(error.code, 'AUT_01');
  t.is(error.status, 401);
  t.is(error.field, 'TOKEN');
  const none = await t.throwsAsync(client.auth.verify(), { instanceOf: PlazaApiError });
  t.is(none.code, 'PAR_01');
  t.is(none.field, 'token');
});

test('a taken username is USR_05 409 on the username field; the token is kept', async (t) => {
  const { input } = await signedUpClient(t, t.context.target.baseUrl);
  const { client, session } = await signedUpClient(t, t.context.target.baseUrl);
  const error = await t.throwsAsync(client.auth.signup(signUpInput({ username: input.username })), {
    instanceOf: PlazaApiError,
  });
  t.is(error.code, 'USR_05');
  t.is(error.status, 409);
  t.is(error.field, 'username');
  t.is(error.message, 'User with this username already exists.');
  t.is(client.auth.currentToken(), session.token, 'a failed sign-up does not sign out');
});

test('a weak password is USR_04 400 on the password field', async (t) => {
  const client = clientOf(t, t.context.target.baseUrl);
  const error = await t.throwsAsync(client.auth.signup(signUpInput({ password: 'xx' })), {
    instanceOf: PlazaApiError,
  });
  t.is(error.code, 'USR_04');
  t.is(error.status, 400);
  t.is(error.field, 'password');
  t.is(error.message, 'Password too weak.');
  t.is(error.hint, 'Too short. Use at least 8 characters.');
});

test('a missing parameter is PAR_01 400 naming it', async (t) => {
  const client = clientOf(t, t.context.target.baseUrl);
  const error = await t.throwsAsync(client.auth.signup(signUpInput({ email: '' })), {
    instanceOf: PlazaApiError,
  });
  t.is(error.code, 'PAR_01');
  t.is(error.status, 400);
  t.is(error.field, 'email');
  t.is(error.message, 'Missing HTTP param.');
});

test('a malformed value is USR_02 400 naming it', async (t) => {
  const client = clientOf(t, t.context.target.baseUrl);
  const error = await t.throwsAsync(client.auth.signup(signUpInput({ birth_date: 'yesterday' })), {
    instanceOf: PlazaApiError,
  });
  t.is(error.code, 'USR_02');
  t.is(error.status, 400);
  t.is(error.field, 'birth_date');
});

test('an undeliverable email is USR_03 on the email field', async (t) => {
  const client = clientOf(t, t.context.target.baseUrl);
  const error = await t.throwsAsync(
    client.auth.signup(signUpInput({ email: 'someone@example.invalid' })),
    { instanceOf: PlazaApiError },
  );
  t.is(error.code, 'USR_03');
  t.is(error.status, 400);
  t.is(error.field, 'email');
});
