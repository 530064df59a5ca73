import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { createPlaza, type Plaza } from '../createPlaza.js';
import { PASSWORD_TOO_WEAK_MESSAGE } from '../errors.js';
import { rejectsWithPlazaError } from '../testing/assertions.js';
import {
  aUser,
  RANDOM_10_CHARACTER_PASSWORDS,
  randomPassword,
  StubEmailVerifier,
  testOptions,
  testPlaza,
  uniqueUsername,
} from '../testing/builders.js';
import type { SignUpInput } from './userInputs.js';
import { PasswordPolicy } from './PasswordPolicy.js';

// The verifier runs after the strength check and before the hash: if it was never asked
// about an address, that sign-up never reached the hasher either.
const verifier = new StubEmailVerifier({ deliverable: true, status: 'valid' });
let plaza: Plaza;
test.before(async () => {
  plaza = await createPlaza(testOptions({ emailVerifier: verifier }));
});
test.after.always(async () => {
  await plaza.close();
});

const policy = new PasswordPolicy({ minLength: 8, maxLength: 256 });
const UNRELATED = ['someone', 'someone@example.com'] as const;

async function refusedAsWeak(t: ExecutionContext, input: SignUpInput): Promise<void> {
  await rejectsWithPlazaError(t, plaza.users.signUp(input), {
    code: 'USR_04',
    field: 'password',
    message: PASSWORD_TOO_WEAK_MESSAGE,
  });
  t.false(verifier.calls.includes(input.email), 'the sign-up went past the strength check');
}

for (const password of ['xx', 'password1', '12345678901', 'qwertyuiop', 'passw0rd!!', 'abc123']) {
  test(`the password "${password}" is too weak (USR_04)`, async (t) => {
    await refusedAsWeak(t, aUser({ password }));
  });
}

// Each of these passes for someone else; it is refused for its owner only.
const ownWords: ReadonlyArray<readonly [string, string, string]> = [
  ['Lovelace1815!', 'lovelace1815', 'countess@example.com'],
  ['lovelace1815x', 'lovelace1815', 'countess@example.com'],
  ['grace.hopper1906', 'admiral', 'grace.hopper1906@example.com'],
  ['Grace.Hopper1906!', 'admiral', 'grace.hopper1906@example.com'],
  ['gracehopper1906', 'admiral', 'grace.hopper1906@example.com'],
];

for (const [password, username, email] of ownWords) {
  test(`"${password}" is too weak for ${username} <${email}> but not for a stranger`, async (t) => {
    t.true(policy.isAcceptable(password, UNRELATED), 'the control: a stranger may use it');
    await refusedAsWeak(t, { username, password, email });
  });
}

test('a password equal to the username is too weak', async (t) => {
  const username = uniqueUsername('lovelace');
  await refusedAsWeak(t, aUser({ username, password: username }));
});

test('a password equal to the email address or its local part is too weak', async (t) => {
  await refusedAsWeak(
    t,
    aUser({ email: 'ada.byron@example.com', password: 'ada.byron@example.com' }),
  );
  await refusedAsWeak(t, aUser({ email: 'ada.byron@example.com', password: 'ada.byron' }));
});

test('random 10-character passwords are strong enough', async (t) => {
  for (const password of RANDOM_10_CHARACTER_PASSWORDS) {
    t.is(password.length, 10);
    const input = aUser({ password });
    const { user_id: id } = await plaza.users.signUp(input);
    t.is((await plaza.auth.login({ username: input.username, password })).userId, id);
  }
});

test('fresh random 10-character passwords practically always pass', (t) => {
  const draws = 300;
  let refused = 0;
  for (let i = 0; i < draws; i += 1) {
    const password = randomBytes(12).toString('base64url').slice(0, 10);
    if (!policy.isAcceptable(password, UNRELATED)) refused += 1;
  }
  // About 1 in 10,000 scores low; 3 of 300 would mean the policy refuses real passwords.
  t.true(refused < 3, `${refused} of ${draws} refused`);
});

test('passwords within two edits of the username are too weak', (t) => {
  const own = ['lovelace1815', 'ada@example.com'];
  for (const password of ['lovelaec1815', 'lovelace-1815', 'Lovelace_1815', 'lovelace18155']) {
    t.false(policy.isAcceptable(password, own), password);
  }
  t.true(policy.isAcceptable('analytical-engine-1843', own));
});

test('a password one over the maximum length is refused before any hashing', async (t) => {
  const password = Array.from({ length: 26 }, randomPassword).join('').slice(0, 257);
  t.is(password.length, 257);
  t.true(policy.isAcceptable(password.slice(0, 256), UNRELATED), 'the control: 256 would pass');
  await refusedAsWeak(t, aUser({ password }));
});

test('length counts code points: 257 emoji are too long, 256 are not', async (t) => {
  const input = aUser({ password: '🔑'.repeat(257) });
  await refusedAsWeak(t, input);
  t.false(policy.isTooLong('🔑'.repeat(256)));
});

test('a password of exactly the maximum length signs up and logs in', async (t) => {
  const password = Array.from({ length: 26 }, randomPassword).join('').slice(0, 256);
  t.is(password.length, 256);
  const input = aUser({ password });
  const { user_id: id } = await plaza.users.signUp(input);
  t.true(verifier.calls.includes(input.email));
  t.is((await plaza.auth.login({ username: input.username, password })).userId, id);
});

test('an over-long password at login is refused as wrong credentials', async (t) => {
  const input = aUser();
  await plaza.users.signUp(input);
  await rejectsWithPlazaError(
    t,
    plaza.auth.login({ username: input.username, password: 'x'.repeat(257) }),
    {
      code: 'AUT_02',
    },
  );
});

test('passwordMinLength raises the minimum', async (t) => {
  const strict = await testPlaza(t, { passwordMinLength: 12 });
  const password = RANDOM_10_CHARACTER_PASSWORDS[0];
  t.true(policy.isAcceptable(password, UNRELATED), 'the control: fine at the default minimum');
  await rejectsWithPlazaError(t, strict.users.signUp(aUser({ password })), {
    code: 'USR_04',
    field: 'password',
  });
  const accepted = await strict.users.signUp(
    aUser({ password: `${password}-${randomPassword()}` }),
  );
  t.true(accepted.user_id > 0);
});

test('the policy refuses passwords under the minimum length, whatever their score', (t) => {
  const password = 'plum-kettle-orbit-4';
  t.true(policy.isAcceptable(password, UNRELATED));
  t.false(new PasswordPolicy({ minLength: 20, maxLength: 256 }).isAcceptable(password, UNRELATED));
});

test('the policy refuses all-digit passwords, however long', (t) => {
  t.false(policy.isAcceptable('9081726354019283', UNRELATED));
  t.true(policy.isAcceptable('9081726354019283x', UNRELATED), 'the control: one letter more');
});
