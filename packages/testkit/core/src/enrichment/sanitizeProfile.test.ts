import test from 'ava';

import {
  MAX_BIO_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PLACE_LENGTH,
  MAX_PROFILE_URL_LENGTH,
  sanitizeProfile,
} from './sanitizeProfile.js';

test('keeps every valid field as it is', (t) => {
  const profile = {
    first_name: 'Ada',
    last_name: 'Lovelace',
    location: 'London, UK',
    city: 'London',
    state: 'England',
    country: 'United Kingdom',
    lat: 51.5,
    lng: -0.12,
    bio: 'Mathematician.\nWrote the first program.',
    site: 'https://ada.example.com/',
    avatar: 'http://img.example.com/ada.png',
  };
  t.deepEqual(sanitizeProfile(profile), profile);
});

test('drops fields outside the spec, nulls and wrong types', (t) => {
  t.deepEqual(
    sanitizeProfile({
      first_name: null,
      last_name: 42,
      city: ['London'],
      lat: '51.5',
      lng: null,
      bio: undefined,
      email: 'ada@example.com',
      password_hash: 'x',
      birth_date: '1815-12-10',
      username: 'ada',
      country: 'UK',
    }),
    { country: 'UK' },
  );
});

test('anything but an object gives an empty profile', (t) => {
  for (const raw of [null, undefined, 'Ada', 42, true]) t.deepEqual(sanitizeProfile(raw), {});
});

test('trims strings and drops empty ones', (t) => {
  t.deepEqual(sanitizeProfile({ first_name: '  Ada \t', last_name: '   ', city: '' }), {
    first_name: 'Ada',
  });
});

test('caps lengths in characters, never splitting an emoji', (t) => {
  const long = (n: number) => 'a'.repeat(n + 10);
  const profile = sanitizeProfile({
    first_name: long(MAX_NAME_LENGTH),
    last_name: '😀'.repeat(MAX_NAME_LENGTH + 1),
    location: long(MAX_PLACE_LENGTH),
    city: long(MAX_PLACE_LENGTH),
    state: long(MAX_PLACE_LENGTH),
    country: long(MAX_PLACE_LENGTH),
    bio: long(MAX_BIO_LENGTH),
  });
  t.is(profile.first_name?.length, MAX_NAME_LENGTH);
  t.is(Array.from(profile.last_name ?? '').length, MAX_NAME_LENGTH);
  t.false(/[\ud800-\udbff]$/.test(profile.last_name ?? ''), 'no lone high surrogate');
  for (const place of [profile.location, profile.city, profile.state, profile.country]) {
    t.is(place?.length, MAX_PLACE_LENGTH);
  }
  t.is(profile.bio?.length, MAX_BIO_LENGTH);
});

test('values exactly at the limit are kept whole', (t) => {
  const name = 'b'.repeat(MAX_NAME_LENGTH);
  t.deepEqual(sanitizeProfile({ first_name: name }), { first_name: name });
});

test('drops strings with control or bidi characters', (t) => {
  t.deepEqual(
    sanitizeProfile({
      first_name: 'Ada\u0000',
      last_name: 'Love\nlace',
      city: 'Lon\u001bdon',
      state: 'Eng\u202eland',
      country: 'UK\u007f',
      bio: 'C1\u0085control',
      site: 'https://example.com/\u0000',
      avatar: 'https://example.com/\u202egnp.exe',
      location: 'ok',
    }),
    { location: 'ok' },
  );
});

test('drops strings with invisible characters: bidi marks, zero-width and other format characters', (t) => {
  const hidden = [
    '\u200e', // left-to-right mark
    '\u200f', // right-to-left mark
    '\u061c', // Arabic letter mark
    '\u200b', // zero-width space
    '\u2060', // word joiner
    '\ufeff', // zero-width no-break space, inside the text
    '\u2066', // isolate
    '\u2028', // line separator
    '\u3164', // Hangul filler
    '\u{e0041}', // tag letter
    '\ud800', // lone surrogate
    '\uffff', // noncharacter
  ];
  for (const char of hidden) {
    const label = `U+${char.codePointAt(0)?.toString(16)}`;
    t.deepEqual(
      sanitizeProfile({
        first_name: `A${char}da`,
        last_name: `Love${char}lace`,
        city: `Lon${char}don`,
        bio: `one\ntwo${char}three`,
        site: `https://ada.example.com/a${char}b`,
        avatar: `https://img.example.com/${char}.png`,
        country: 'UK',
      }),
      { country: 'UK' },
      label,
    );
  }
});

test('keeps what writing needs: emoji sequences, and joiners in scripts shaped with them', (t) => {
  const profile = {
    first_name: 'می‌خواهم',
    last_name: 'क्‍ष',
    bio: 'Coder 👩‍💻 ❤️ 🏴󠁧󠁢󠁥󠁮󠁧󠁿',
  };
  t.deepEqual(sanitizeProfile(profile), profile);
  t.deepEqual(sanitizeProfile({ first_name: 'Ad\u200da', last_name: 'Ada\u200c' }), {});
});

test('a cap that cuts an emoji sequence after its joiner drops the value', (t) => {
  const name = `${'a'.repeat(MAX_NAME_LENGTH - 2)}👩\u200d💻`;
  t.deepEqual(sanitizeProfile({ first_name: name }), {});
});

test('a bio may hold line breaks and tabs but no other control characters', (t) => {
  t.deepEqual(sanitizeProfile({ bio: 'one\ntwo\r\n\tthree' }), { bio: 'one\ntwo\r\n\tthree' });
  t.deepEqual(sanitizeProfile({ bio: 'bell\u0007' }), {});
});

test('keeps only http and https URLs for site and avatar', (t) => {
  const bad = [
    'javascript:alert(1)',
    'data:image/png;base64,AAAA',
    'ftp://example.com/a.png',
    'file:///etc/passwd',
    '//example.com/a.png',
    '/relative/path',
    'not a url',
    'https://user:pass@example.com/',
    'https://exa\nmple.com/',
  ];
  for (const url of bad) {
    t.deepEqual(sanitizeProfile({ site: url, avatar: url }), {}, url);
  }
  t.deepEqual(sanitizeProfile({ site: ' https://example.com/a ', avatar: 'HTTP://EXAMPLE.COM' }), {
    site: 'https://example.com/a',
    avatar: 'HTTP://EXAMPLE.COM',
  });
});

test('drops URLs longer than 2048 characters instead of cutting them', (t) => {
  const base = 'https://example.com/';
  const atLimit = base + 'a'.repeat(MAX_PROFILE_URL_LENGTH - base.length);
  t.deepEqual(sanitizeProfile({ site: atLimit }), { site: atLimit });
  t.deepEqual(sanitizeProfile({ site: `${atLimit}a` }), {});
});

test('lat must be in [-90, 90] and lng in [-180, 180]', (t) => {
  t.deepEqual(sanitizeProfile({ lat: 90, lng: -180 }), { lat: 90, lng: -180 });
  t.deepEqual(sanitizeProfile({ lat: -90, lng: 180 }), { lat: -90, lng: 180 });
  t.deepEqual(sanitizeProfile({ lat: 0, lng: 0 }), { lat: 0, lng: 0 });
  t.deepEqual(sanitizeProfile({ lat: 90.0001, lng: -180.5 }), {});
  t.deepEqual(sanitizeProfile({ lat: Number.NaN, lng: Number.POSITIVE_INFINITY }), {});
});
