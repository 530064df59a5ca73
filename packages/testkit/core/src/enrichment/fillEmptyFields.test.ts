import test from 'ava';

import { ENRICHABLE_FIELDS, fillEmptyFields } from './fillEmptyFields.js';
import type { EnrichedProfile } from './ProfileEnricher.js';

/** A complete, valid profile as a provider could find it; override any field. */
const aFoundProfile = (overrides: Partial<Record<keyof EnrichedProfile, unknown>> = {}) =>
  ({
    first_name: 'Ada',
    last_name: 'Lovelace',
    location: 'London, England, United Kingdom',
    city: 'London',
    state: 'England',
    country: 'GB',
    lat: 51.5074,
    lng: -0.1278,
    bio: 'Mathematician.',
    site: 'https://ada.example.com/',
    avatar: 'https://img.example.com/ada.png',
    ...overrides,
  }) as EnrichedProfile;

/** A user's profile with every enrichable field empty; override any field. */
const anEmptyProfile = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...Object.fromEntries(ENRICHABLE_FIELDS.map((field) => [field, null])),
  ...overrides,
});

test('the enrichable fields are exactly those of the spec', (t) => {
  t.deepEqual(
    [...ENRICHABLE_FIELDS].sort(),
    [
      'avatar',
      'bio',
      'city',
      'country',
      'first_name',
      'last_name',
      'lat',
      'lng',
      'location',
      'site',
      'state',
    ].sort(),
  );
});

test('an empty profile takes everything found', (t) => {
  t.deepEqual(fillEmptyFields(anEmptyProfile(), aFoundProfile()), aFoundProfile());
});

test('fields the user never set (undefined) are filled too', (t) => {
  t.deepEqual(fillEmptyFields({}, aFoundProfile()), aFoundProfile());
});

test('empty and whitespace-only strings count as empty', (t) => {
  const changes = fillEmptyFields(
    anEmptyProfile({ first_name: '', last_name: '   ', city: '\t\n', bio: ' ' }),
    aFoundProfile(),
  );
  t.like(changes, {
    first_name: 'Ada',
    last_name: 'Lovelace',
    city: 'London',
    bio: 'Mathematician.',
  });
});

test('what the user wrote is never overwritten', (t) => {
  const current = {
    first_name: 'Augusta',
    last_name: 'King',
    location: 'Somewhere',
    city: 'Ockham',
    state: 'Surrey',
    country: 'UK',
    lat: 51.3,
    lng: -0.45,
    bio: 'My own words.',
    site: 'https://mine.example.org/',
    avatar: 'https://mine.example.org/me.png',
  };
  t.deepEqual(fillEmptyFields(current, aFoundProfile()), {});
});

test('only the empty fields are filled; the rest stay out of the changes', (t) => {
  t.deepEqual(
    fillEmptyFields(
      { ...anEmptyProfile(), first_name: 'Augusta', city: 'Ockham', bio: 'Mine.' },
      aFoundProfile(),
    ),
    {
      last_name: 'Lovelace',
      location: 'London, England, United Kingdom',
      state: 'England',
      country: 'GB',
      lat: 51.5074,
      lng: -0.1278,
      site: 'https://ada.example.com/',
      avatar: 'https://img.example.com/ada.png',
    },
  );
});

test('a coordinate of 0 is data, not an empty field', (t) => {
  t.deepEqual(fillEmptyFields(anEmptyProfile({ lat: 0, lng: 0 }), { lat: 10, lng: 20 }), {});
});

test('a found coordinate of 0 is kept', (t) => {
  t.deepEqual(fillEmptyFields(anEmptyProfile(), { lat: 0, lng: 0 }), { lat: 0, lng: 0 });
});

test('fields found empty are not written', (t) => {
  const changes = fillEmptyFields(
    anEmptyProfile(),
    aFoundProfile({ first_name: '  ', city: '', bio: undefined }),
  );
  t.deepEqual(Object.keys(changes).sort(), [
    'avatar',
    'country',
    'last_name',
    'lat',
    'lng',
    'location',
    'site',
    'state',
  ]);
});

test('found data is validated again: a javascript: avatar is dropped', (t) => {
  const changes = fillEmptyFields(
    anEmptyProfile(),
    aFoundProfile({ avatar: 'javascript:alert(document.cookie)', site: 'data:text/html,hi' }),
  );
  t.false('avatar' in changes);
  t.false('site' in changes);
  t.is(changes.first_name, 'Ada');
});

test('found data is validated again: coordinates out of range are dropped', (t) => {
  const changes = fillEmptyFields(anEmptyProfile(), aFoundProfile({ lat: 200, lng: -181 }));
  t.false('lat' in changes);
  t.false('lng' in changes);
  t.is(changes.city, 'London');
});

test('found data is validated again: text with control characters is dropped', (t) => {
  const changes = fillEmptyFields(
    anEmptyProfile(),
    aFoundProfile({ first_name: 'Ada\u0000', city: 'Lon\u001b[31mdon', state: 'Eng\u202eland' }),
  );
  t.false('first_name' in changes);
  t.false('city' in changes);
  t.false('state' in changes);
  t.is(changes.last_name, 'Lovelace');
});

test('found data is validated again: wrong types are dropped, strings trimmed', (t) => {
  const changes = fillEmptyFields(
    anEmptyProfile(),
    aFoundProfile({ lat: '51.5', first_name: 42, last_name: '  Lovelace  ' }),
  );
  t.false('lat' in changes);
  t.false('first_name' in changes);
  t.is(changes.last_name, 'Lovelace');
});

test('fields outside the list are never filled, even when found', (t) => {
  const found = {
    ...aFoundProfile(),
    email: 'someone-else@example.com',
    username: 'hijacked',
    birth_date: '1815-12-10',
    password_hash: 'x',
    id: 7,
  } as EnrichedProfile;
  const current: Record<string, unknown> = {
    ...anEmptyProfile(),
    email: null,
    username: null,
    birth_date: null,
  };
  const changes = fillEmptyFields(current, found);
  for (const field of ['email', 'username', 'birth_date', 'password_hash', 'id']) {
    t.false(field in changes, field);
  }
  t.deepEqual(Object.keys(changes).sort(), [...ENRICHABLE_FIELDS].sort());
});

test('nothing found changes nothing', (t) => {
  t.deepEqual(fillEmptyFields(anEmptyProfile(), {}), {});
});
