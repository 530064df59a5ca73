import test from 'ava';
import { createPlaza, type Plaza } from '../createPlaza.js';
import { MISSING_PARAM_MESSAGE, NOT_FOUND_MESSAGE } from '../errors.js';
import { rejectsWithPlazaError, signedUpUser, testOptions, untyped } from '@plaza/testkit';

let plaza: Plaza;
let ada: Awaited<ReturnType<typeof signedUpUser>>;
let bob: Awaited<ReturnType<typeof signedUpUser>>;
test.before(async () => {
  plaza = await createPlaza(testOptions());
  ada = await signedUpUser(plaza, {
    first_name: 'Ada',
    last_name: 'Lovelace',
    birth_date: '1815-12-10',
    city: 'London',
    lat: 51.5,
    lng: -0.12,
    site: 'https://ada.dev',
  });
  bob = await signedUpUser(plaza);
});
test.after.always(async () => {
  await plaza.close();
});

const PUBLIC_KEYS = [
  'avatar',
  'bio',
  'birth_date',
  'city',
  'country',
  'first_name',
  'followers_count',
  'following_count',
  'last_name',
  'lat',
  'lng',
  'location',
  'site',
  'state',
  'user_id',
  'username',
];

test('a public profile shows the profile fields and no email or password', async (t) => {
  const profile = await plaza.users.profile({ user_id: ada.id });
  t.deepEqual(Object.keys(profile).sort(), PUBLIC_KEYS);
  t.deepEqual(profile, {
    user_id: ada.id,
    username: ada.input.username,
    first_name: 'Ada',
    last_name: 'Lovelace',
    birth_date: '1815-12-10',
    location: null,
    city: 'London',
    state: null,
    country: null,
    lat: 51.5,
    lng: -0.12,
    bio: null,
    site: 'https://ada.dev',
    avatar: null,
    followers_count: 0,
    following_count: 0,
  });
  const serialised = JSON.stringify(profile);
  t.false(serialised.includes(ada.input.email));
  t.false(serialised.includes(ada.input.password));
  t.false(/pass|hash|scrypt/i.test(serialised));
});

test('another signed-in user does not see the email either', async (t) => {
  const profile = await plaza.users.profile({ user_id: ada.id }, bob.id);
  t.false('email' in profile);
  t.deepEqual(Object.keys(profile).sort(), [...PUBLIC_KEYS, 'following'].sort());
  t.false(profile.following);
});

test('the user themself sees their email, and still no password', async (t) => {
  const profile = await plaza.users.profile({ user_id: ada.id }, ada.id);
  t.is(profile.email, ada.input.email);
  t.deepEqual(Object.keys(profile).sort(), [...PUBLIC_KEYS, 'email', 'following'].sort());
  t.false(profile.following, 'nobody follows themself');
  t.false(/pass|hash|scrypt/i.test(JSON.stringify(profile)));
});

test('user_id may come as a string of digits, as from a query string', async (t) => {
  const profile = await plaza.users.profile(untyped({ user_id: String(bob.id) }));
  t.is(profile.user_id, bob.id);
  t.is(profile.username, bob.input.username);
});

test('an unknown user is USR_01', async (t) => {
  await rejectsWithPlazaError(t, plaza.users.profile({ user_id: bob.id + 1000 }), {
    code: 'USR_01',
    message: NOT_FOUND_MESSAGE,
  });
});

test('a missing user_id is PAR_01 and a malformed one USR_02', async (t) => {
  await rejectsWithPlazaError(t, plaza.users.profile(untyped({})), {
    code: 'PAR_01',
    field: 'user_id',
    message: MISSING_PARAM_MESSAGE,
  });
  for (const userId of ['abc', '1.5', -1, 0, 1.5, '1e3', [1]]) {
    await rejectsWithPlazaError(t, plaza.users.profile(untyped({ user_id: userId })), {
      code: 'USR_02',
      field: 'user_id',
    });
  }
});
