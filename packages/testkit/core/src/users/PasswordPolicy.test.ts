import { randomBytes, randomInt } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { plazaOptionsFromEnv } from '../plazaSettings.js';
import { createPlaza, type Plaza } from '../createPlaza.js';
import { PASSWORD_TOO_WEAK_MESSAGE } from '../errors.js';
import {
  aUser,
  ORIGINAL_CLIENT_PASSWORD,
  RANDOM_10_CHARACTER_PASSWORDS,
  randomPassword,
  rejectsWithPlazaError,
  StubEmailVerifier,
  testOptions,
  testPlaza,
  uniqueUsername,
} from '@plaza/testkit';
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

async function refusedAsWeak(t: ExecutionContext, input: SignUpInput): Promise<string> {
  const error = await rejectsWithPlazaError(t, plaza.users.signUp(input), {
    code: 'USR_04',
    field: 'password',
    message: PASSWORD_TOO_WEAK_MESSAGE,
  });
  t.false(verifier.calls.includes(input.email), 'the sign-up went past the strength check');
  return String(error.hint);
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

/** What the original service's clients sign up with: `Math.random().toString(36).slice(2, 10)`. */
const originalClientPassword = (): string =>
  Array.from({ length: 8 }, () => randomInt(36).toString(36)).join('');

test("the original service's random 8-character passwords pass, as they did there", (t) => {
  const passwords = Array.from({ length: 200 }, originalClientPassword);
  const refused = passwords.filter((password) => !policy.isAcceptable(password, UNRELATED));
  // Not all: about 2.5 in 10,000 are refused (11 of 45,000 drawn). Most hold a name, a date,
  // a repeat or a sequence by chance ("ale7ahga", "ysrysrk4") and score 1, which the original
  // accepted; about 3 in 100,000 are all digits, which it refused too. Three refusals of 200
  // would come about twice in 100,000 runs.
  t.true(refused.length < 3, `${refused.length} of 200 refused: ${refused.join(' ')}`);
  // Eight characters zxcvbn finds nothing in count as 10^8 guesses: score 2, never 3.
  const strict = new PasswordPolicy({ minLength: 8, maxLength: 256, minScore: 3 });
  t.deepEqual(
    passwords.filter((password) => strict.isAcceptable(password, UNRELATED)),
    [],
    'none passes a minimum score of 3',
  );
});

test('PASSWORD_MIN_SCORE=3 refuses a typical password of the original clients as guessable', async (t) => {
  const password = ORIGINAL_CLIENT_PASSWORD;
  t.true(policy.isAcceptable(password, UNRELATED), 'the control: accepted at the default');
  const strict = await testPlaza(t, plazaOptionsFromEnv({ PASSWORD_MIN_SCORE: '3' }));
  const error = await rejectsWithPlazaError(t, strict.users.signUp(aUser({ password })), {
    code: 'USR_04',
    field: 'password',
    message: PASSWORD_TOO_WEAK_MESSAGE,
  });
  t.regex(String(error.hint), /^Too easy to guess\./);
});

const hints: ReadonlyArray<readonly [string, Partial<SignUpInput>, string | RegExp]> = [
  ['too short', { password: 'k3v9qx2' }, 'Too short. Use at least 8 characters.'],
  ['too long', { password: 'k3v9qx2m'.repeat(33) }, 'Too long. Use at most 256 characters.'],
  ['all digits', { password: '9081726354019283' }, 'Only digits. Add some letters.'],
  ['common', { password: 'password1' }, 'Too easy to guess. This is a commonly used password.'],
  [
    'a keyboard row',
    { password: 'qwertyuiop' },
    /^Too easy to guess\. This is a \w+ used password\.$/,
  ],
  [
    'within two edits of the username',
    { username: 'lovelace1815', password: 'Lovelace_1815' },
    'Too like your username or email address.',
  ],
  [
    'the email address with a few characters more',
    { email: 'ada.byron@example.com', password: 'ada.byron@example.com!x9' },
    'Too like your username or email address.',
  ],
];

for (const [rule, overrides, hint] of hints) {
  test(`USR_04 says in its hint what failed: ${rule}`, async (t) => {
    const said = await refusedAsWeak(t, aUser(overrides));
    if (typeof hint === 'string') t.is(said, hint);
    else t.regex(said, hint);
  });
}

test('the username with four random characters added is refused, though it scores 2', async (t) => {
  const password = 'lovelace1815k2x9';
  t.true(policy.isAcceptable(password, UNRELATED), 'the control: a stranger may use it');
  const owner = { username: 'lovelace1815', email: 'countess@example.com', password };
  t.is(await refusedAsWeak(t, owner), 'Too like your username or email address.');
});
