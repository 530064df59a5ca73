import test from 'ava';
import { createPlaza, type Plaza } from '../createPlaza.js';
import { MISSING_PARAM_MESSAGE } from '../errors.js';
import {
  aUser,
  rejectsWithPlazaError,
  signedUpUser,
  testOptions,
  uniqueUsername,
  untyped,
  without,
} from '@plaza/testkit';

// Validation fails before anything is written, so one database serves the whole file.
let plaza: Plaza;
test.before(async () => {
  plaza = await createPlaza(testOptions());
});
test.after.always(async () => {
  await plaza.close();
});

const signUpRaw = (raw: Readonly<Record<string, unknown>>) => plaza.users.signUp(untyped(raw));

const daysFromToday = (days: number): string =>
  new Date(Date.now() + days * 24 * 3600 * 1000).toISOString().slice(0, 10);

// --- required parameters -------------------------------------------------------------------

for (const field of ['username', 'password', 'email'] as const) {
  test(`sign-up without ${field} is PAR_01 naming ${field}`, async (t) => {
    await rejectsWithPlazaError(t, signUpRaw(without(aUser(), field)), {
      code: 'PAR_01',
      field,
      message: MISSING_PARAM_MESSAGE,
    });
  });

  for (const [label, value] of [
    ['an empty string', ''],
    ['null', null],
  ] as const) {
    test(`sign-up with ${field} as ${label} counts as missing (PAR_01 ${field})`, async (t) => {
      await rejectsWithPlazaError(t, signUpRaw({ ...aUser(), [field]: value }), {
        code: 'PAR_01',
        field,
        message: MISSING_PARAM_MESSAGE,
      });
    });
  }
}

// --- wrong types: USR_02, never a crash ----------------------------------------------------

const wrongTypes: ReadonlyArray<readonly [string, string, unknown]> = [
  ['username', 'a number', 42],
  ['username', 'an array', ['ada']],
  ['username', 'an object', { name: 'ada' }],
  ['password', 'an object', { toString: () => 'plum-kettle-orbit-42' }],
  ['password', 'an array', ['plum-kettle-orbit-42']],
  ['password', 'an empty array', []],
  ['password', 'a number', 73_914_862_055],
  ['password', 'a boolean', true],
  ['email', 'a number', 7],
  ['email', 'an array', ['ada@example.com']],
  ['first_name', 'a number', 12],
  ['birth_date', 'a Date object', new Date('2000-01-01')],
];

for (const [field, label, value] of wrongTypes) {
  test(`sign-up with ${field} as ${label} is USR_02 naming ${field}`, async (t) => {
    await rejectsWithPlazaError(t, signUpRaw({ ...aUser(), [field]: value }), {
      code: 'USR_02',
      field,
    });
  });
}

// --- malformed values ------------------------------------------------------------------------

const malformed: ReadonlyArray<readonly [string, unknown]> = [
  ['username', 'ada\nlovelace'],
  ['username', 'ada lovelace'],
  ['username', ' '],
  ['username', '\u001b[31mada'],
  ['username', 'ada\tlovelace'],
  ['username', '\u202eada'],
  ['username', 'ada/lovelace'],
  ['username', 'a'.repeat(151)],
  ['email', 'ada'],
  ['email', 'ada@'],
  ['email', '@example.com'],
  ['email', 'ada@example'],
  ['email', 'ada lovelace@example.com'],
  ['email', 'ada@@example.com'],
  ['email', 'ada@exam ple.com'],
  ['email', `${'a'.repeat(250)}@example.com`],
  ['first_name', '😀'.repeat(151)],
  ['first_name', 'Ada\nLovelace'],
  ['last_name', 'L'.repeat(151)],
  ['city', 'c'.repeat(256)],
  ['bio', 'b'.repeat(5001)],
  ['birth_date', '2020-02-30'],
  ['birth_date', '20-01-01'],
  ['birth_date', '2021-02-29'],
  ['birth_date', '2020-13-01'],
  ['birth_date', '2020/01/01'],
  ['birth_date', '2999-01-01'],
  ['birth_date', daysFromToday(2)],
  ['lat', 91],
  ['lat', -90.5],
  ['lat', 'abc'],
  ['lat', '12,5'],
  ['lat', Number.NaN],
  ['lat', '1e400'],
  ['lng', -181],
  ['lng', 180.01],
  ['lng', 'east'],
  ['site', 'javascript:alert(1)'],
  ['site', 'ftp://x'],
  ['site', 'ada.dev'],
  ['site', 'https://'],
  ['avatar', 'data:image/png;base64,iVBORw0KGgo='],
  ['avatar', `https://example.com/${'a'.repeat(2048)}`],
];

for (const [field, value] of malformed) {
  const shown = JSON.stringify(value).slice(0, 40);
  test(`sign-up with ${field} ${shown} is USR_02 naming ${field}`, async (t) => {
    const error = await rejectsWithPlazaError(t, signUpRaw({ ...aUser(), [field]: value }), {
      code: 'USR_02',
      field,
    });
    t.true(error.message.includes(field), `the message "${error.message}" names ${field}`);
  });
}

// --- accepted values -------------------------------------------------------------------------

test('sign-up returns the new user id and a token for that user', async (t) => {
  const before = Date.now();
  const result = await plaza.users.signUp(aUser());
  const after = Date.now();
  t.true(Number.isSafeInteger(result.user_id) && result.user_id > 0);
  t.is(await plaza.auth.verifyToken(result.token), result.user_id);
  // An hour after the token was issued, in whole seconds, however long the sign-up took.
  const expiresAt = Date.parse(result.expires_at);
  t.true(
    expiresAt > before - 1000 + 3600_000 && expiresAt <= after + 3600_000,
    `expires ${expiresAt - before} ms after the sign-up started`,
  );
});

test('a full profile is stored as given, with lat and lng strings stored as numbers', async (t) => {
  const profile = {
    first_name: 'Ada',
    last_name: 'Lovelace',
    birth_date: '1815-12-10',
    location: 'London, UK',
    city: 'London',
    state: 'England',
    country: 'United Kingdom',
    bio: 'Wrote the first program.\nPoet of science.',
    site: 'https://ada.dev',
    avatar: 'http://img.example.com/ada.png',
  };
  const { id } = await signedUpUser(plaza, untyped({ ...profile, lat: '12.5', lng: '-180' }));
  const stored = await plaza.users.profile({ user_id: id });
  t.like(stored, profile);
  t.is(stored.lat, 12.5);
  t.is(stored.lng, -180);
});

test('a 150-emoji first_name fits: lengths count code points, not UTF-16 units', async (t) => {
  const firstName = '😀'.repeat(150);
  t.is(firstName.length, 300);
  const { id } = await signedUpUser(plaza, { first_name: firstName });
  t.is((await plaza.users.profile({ user_id: id })).first_name, firstName);
});

test('a 150-character username and a leap day birth date are accepted', async (t) => {
  const username = uniqueUsername().padEnd(150, 'z');
  t.is(username.length, 150);
  const { id } = await signedUpUser(plaza, { username, birth_date: '2020-02-29' });
  const stored = await plaza.users.profile({ user_id: id });
  t.is(stored.username, username);
  t.is(stored.birth_date, '2020-02-29');
});

test('empty optional fields are treated as not given', async (t) => {
  const { id } = await signedUpUser(
    plaza,
    untyped({ ...aUser(), first_name: '', lat: '', site: '' }),
  );
  const stored = await plaza.users.profile({ user_id: id });
  t.is(stored.first_name, null);
  t.is(stored.lat, null);
  t.is(stored.site, null);
});

test('a refused sign-up saves nothing: the same username can sign up afterwards', async (t) => {
  const input = aUser();
  await rejectsWithPlazaError(t, signUpRaw({ ...input, birth_date: '2020-02-30' }), {
    code: 'USR_02',
    field: 'birth_date',
  });
  await rejectsWithPlazaError(t, plaza.auth.login(input), { code: 'AUT_02' });
  const { user_id: id } = await plaza.users.signUp(input);
  t.is((await plaza.users.profile({ user_id: id })).username, input.username);
});
