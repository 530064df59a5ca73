import test from 'ava';
import { createPlaza } from '../createPlaza.js';
import {
  EMAIL_DOES_NOT_VERIFY_MESSAGE,
  emailVerifierUnavailable,
  HUNTER_UNAVAILABLE_MESSAGE,
} from '../errors.js';
import {
  aUser,
  databaseUrlIn,
  FAST_SCRYPT,
  readUsers,
  rejectsWithPlazaError,
  StubEmailVerifier,
  temporaryDirectory,
  TEST_JWT_SECRET,
} from '@plaza/testkit';
import type { EmailVerifier } from './EmailVerifier.js';

const optionsFor = (databaseUrl: string, emailVerifier?: EmailVerifier) => ({
  databaseUrl,
  scrypt: FAST_SCRYPT,
  jwtSecret: TEST_JWT_SECRET,
  ...(emailVerifier === undefined ? {} : { emailVerifier }),
});

for (const status of ['invalid', 'disposable'] as const) {
  test(`an address the verifier calls ${status} is USR_03 and saves nothing`, async (t) => {
    const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
    const input = aUser();
    const refusing = new StubEmailVerifier({ deliverable: false, status });
    const plaza = await createPlaza(optionsFor(databaseUrl, refusing));
    t.teardown(() => plaza.close());
    await rejectsWithPlazaError(t, plaza.users.signUp(input), {
      code: 'USR_03',
      field: 'email',
      message: EMAIL_DOES_NOT_VERIFY_MESSAGE,
    });
    t.deepEqual(refusing.calls, [input.email]);
    await plaza.close();
    t.deepEqual(await readUsers(databaseUrl), []);

    const accepting = new StubEmailVerifier({ deliverable: true, status: 'valid' });
    const again = await createPlaza(optionsFor(databaseUrl, accepting));
    t.teardown(() => again.close());
    const { user_id: id } = await again.users.signUp(input);
    t.is((await again.users.profile({ user_id: id })).username, input.username);
  });
}

test('a verifier that cannot decide makes sign-up EXT_01 and saves nothing', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const unavailable = new StubEmailVerifier(() =>
    Promise.reject(emailVerifierUnavailable(new Error('timeout'))),
  );
  const plaza = await createPlaza(optionsFor(databaseUrl, unavailable));
  t.teardown(() => plaza.close());
  const input = aUser();
  const error = await rejectsWithPlazaError(t, plaza.users.signUp(input), {
    code: 'EXT_01',
    message: HUNTER_UNAVAILABLE_MESSAGE,
  });
  t.false(error.message.includes('timeout'), 'the cause stays out of the message');
  await rejectsWithPlazaError(t, plaza.auth.login(input), { code: 'AUT_02' });
  await plaza.close();
  t.deepEqual(await readUsers(databaseUrl), []);
});

test("the verifier's verdict is stored with the user", async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const plaza = await createPlaza(
    optionsFor(databaseUrl, new StubEmailVerifier({ deliverable: true, status: 'accept_all' })),
  );
  t.teardown(() => plaza.close());
  const input = aUser();
  const { user_id: id } = await plaza.users.signUp(input);
  await plaza.close();
  const [row] = await readUsers(databaseUrl);
  t.like(row, { id, username: input.username, email: input.email, email_verdict: 'accept_all' });
});

test('with no verifier configured, addresses are accepted and marked skipped', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const plaza = await createPlaza(optionsFor(databaseUrl));
  t.teardown(() => plaza.close());
  t.is(plaza.emailVerifier.name, 'none');
  const { user_id: id } = await plaza.users.signUp(aUser());
  await plaza.close();
  const [row] = await readUsers(databaseUrl);
  t.like(row, { id, email_verdict: 'skipped' });
});

test('the verifier is asked only once the rest of the sign-up is valid', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const verifier = new StubEmailVerifier({ deliverable: true, status: 'valid' });
  const plaza = await createPlaza(optionsFor(databaseUrl, verifier));
  t.teardown(() => plaza.close());
  await rejectsWithPlazaError(t, plaza.users.signUp(aUser({ birth_date: '2020-02-30' })), {
    code: 'USR_02',
  });
  await rejectsWithPlazaError(t, plaza.users.signUp(aUser({ password: 'password1' })), {
    code: 'USR_04',
  });
  t.deepEqual(verifier.calls, []);
});
