import anyTest, { type TestFn } from 'ava';
import { createPost, signUp, signUpFields, uniqueUsername } from '../support/builders.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

/** Characters no stored text may hold: controls, bidi controls, invisible characters. */
const HIDDEN = {
  NUL: '\u0000',
  ESC: '\u001b',
  DEL: '\u007f',
  'C1 NEL': '\u0085',
  'U+061C arabic letter mark': '\u061c',
  'U+200B zero-width space': '\u200b',
  'U+200E left-to-right mark': '\u200e',
  'U+200F right-to-left mark': '\u200f',
  'U+202A embedding': '\u202a',
  'U+202E override': '\u202e',
  'U+2066 isolate': '\u2066',
  'U+2060 word joiner': '\u2060',
  'U+2028 line separator': '\u2028',
  'U+FEFF zero-width no-break space': '\ufeff',
  'U+3164 hangul filler': '\u3164',
  'U+E0041 tag letter': '\u{e0041}',
  'U+FFFF noncharacter': '\uffff',
  'lone surrogate': '\ud800',
} as const;

/** Line breaks: refused in single-line fields, kept in multi-line ones (post text, bio). */
const LINE_BREAKS = { CR: '\r', LF: '\n', TAB: '\t' } as const;

type Shape = 'identifier' | 'line' | 'multiline';

/** The characters to try in a field; a form cannot carry a lone surrogate (it arrives as U+FFFD). */
const cases = (shape: Shape, as: 'form' | 'json' = 'json'): Array<[string, string]> => [
  ...Object.entries(HIDDEN).filter(([label]) => as === 'json' || label !== 'lone surrogate'),
  ...(shape === 'multiline' ? [] : Object.entries(LINE_BREAKS)),
];

/**
 * Puts `char` inside a valid value of the field, where a reader would not see it: before the
 * last dot (a URL's path, an email's domain), else in the middle.
 */
const hide = (valid: string, char: string): string => {
  const at = valid.lastIndexOf('.') > 0 ? valid.lastIndexOf('.') : Math.ceil(valid.length / 2);
  return `${valid.slice(0, at)}${char}${valid.slice(at)}`;
};

const SIGN_UP_FIELDS: ReadonlyArray<readonly [string, Shape, (username: string) => string]> = [
  ['email', 'identifier', (username) => `${username.toLowerCase()}@example.com`],
  ['first_name', 'line', () => 'Ada'],
  ['last_name', 'line', () => 'Lovelace'],
  ['location', 'line', () => 'London, UK'],
  ['city', 'line', () => 'London'],
  ['state', 'line', () => 'England'],
  ['country', 'line', () => 'United Kingdom'],
  ['bio', 'multiline', () => 'Wrote the first program.'],
  ['site', 'identifier', () => 'https://ada.example.com/home.html'],
  ['avatar', 'identifier', () => 'https://img.example.com/ada.png'],
];

for (const as of ['form', 'json'] as const) {
  test(`sign-up refuses hidden characters in every text field, stores nothing (${as})`, async (t) => {
    for (const [field, shape, validValue] of SIGN_UP_FIELDS) {
      // One username per field: if any refused attempt had stored a user, the clean
      // sign-up at the end would find the name taken.
      const username = uniqueUsername(field);
      for (const [label, char] of cases(shape, as)) {
        const value = hide(validValue(username), char);
        const answer = await t.context.api.post(
          '/user/data',
          signUpFields({ username, [field]: value }),
          { as },
        );
        t.is(answer.status, 400, `${field} with ${label}: ${answer.text}`);
        t.like(answer.body, { code: 'USR_02', field }, `${field} with ${label}`);
      }
      const clean = await t.context.api.post(
        '/user/data',
        signUpFields({ username, [field]: validValue(username) }),
        { as },
      );
      t.is(clean.status, 200, `${field}: nothing was stored, the name is free: ${clean.text}`);
    }
  });
}

test('sign-up refuses hidden characters in the username', async (t) => {
  for (const [label, char] of cases('identifier')) {
    const username = hide(uniqueUsername('hidden'), char);
    const answer = await t.context.api.post('/user/data', signUpFields({ username }), {
      as: 'json',
    });
    t.is(answer.status, 400, `${label}: ${answer.text}`);
    t.like(answer.body, { code: 'USR_02', field: 'username' }, label);
  }
});

test('a refusal names the problem in SPEC’s format', async (t) => {
  const bidi = await t.context.api.post(
    '/user/data',
    signUpFields({ first_name: 'Ada\u202eecalevol' }),
  );
  t.deepEqual(bidi.body, {
    code: 'USR_02',
    message: 'first_name must not contain invisible or bidi control characters.',
    field: 'first_name',
  });
  const nul = await t.context.api.post(
    '/user/data',
    signUpFields({ site: 'https://a.example/\u0000' }),
  );
  t.deepEqual(nul.body, {
    code: 'USR_02',
    message: 'site must not contain control characters.',
    field: 'site',
  });
});

const POST_FIELDS: ReadonlyArray<readonly [string, Shape, string]> = [
  ['title', 'line', 'A title'],
  ['text', 'multiline', 'Some text'],
  ['link', 'identifier', 'https://plaza.example/p/1.html'],
];

test('a post with hidden characters in its title, text or link is refused, nothing stored', async (t) => {
  const author = await signUp(t.context.api);
  for (const [field, shape, valid] of POST_FIELDS) {
    for (const [label, char] of cases(shape)) {
      const answer = await t.context.api.post(
        '/post/data',
        { title: 'A title', text: 'Some text', [field]: hide(valid, char) },
        { token: author.token, as: 'json' },
      );
      t.is(answer.status, 400, `${field} with ${label}: ${answer.text}`);
      t.like(answer.body, { code: 'USR_02', field }, `${field} with ${label}`);
    }
  }
  const list = await t.context.api.get('/post/list', { author_id: author.userId });
  t.deepEqual((list.body['data'] as { posts: unknown[] }).posts, [], 'no post was stored');
});

test('text keeps what writing needs: emoji sequences, joiners, line breaks in free text', async (t) => {
  const kept = {
    // ZWJ sequences, a presentation selector, a skin tone, a keycap, a tag-sequence flag.
    title: 'Coders 👩‍💻 and families 👨‍👩‍👧 ❤️ 👍🏽 1️⃣ 🏴󠁧󠁢󠁥󠁮󠁧󠁿',
    // Persian with a zero-width non-joiner, Hindi with a virama and ZWJ, tabs and line breaks.
    text: 'می‌خواهم\r\nक्‍ष\n\tindented',
  };
  const author = await signUp(t.context.api, {
    first_name: 'می‌خواهم',
    bio: 'line one\nline two\r\n\tthree 👩‍💻',
  });
  const postId = await createPost(t.context.api, author.token, kept);
  const read = await t.context.api.get('/post/read', { post_id: postId });
  t.like(read.body['data'], kept);
  const profile = await t.context.api.get('/user/data', { user_id: author.userId });
  t.like(profile.body['data'], {
    first_name: 'می‌خواهم',
    bio: 'line one\nline two\r\n\tthree 👩‍💻',
  });
});

test('joiners outside emoji and joining scripts are refused', async (t) => {
  const author = await signUp(t.context.api);
  for (const title of ['ad\u200dmin', 'ad\u200cmin', '\u200d👩', 'a\ufe0f', '👩\u200d']) {
    const answer = await t.context.api.post(
      '/post/data',
      { title, text: 'x' },
      { token: author.token, as: 'json' },
    );
    t.like(answer.body, { code: 'USR_02', field: 'title' }, JSON.stringify(title));
  }
});

test('a username that only looks like a taken one is taken (USR_05)', async (t) => {
  const name = uniqueUsername('admin');
  const owner = await signUp(t.context.api, { username: name });
  const lookAlikes = {
    'Cyrillic а': `\u0430${name.slice(1)}`,
    'Greek capital Α': `\u0391${name.slice(1).toUpperCase()}`,
    'rn for m': name.replace('m', 'rn'),
    'upper case (as before)': name.toUpperCase(),
    'fullwidth (as before)': `\uff41${name.slice(1)}`,
  };
  for (const [label, username] of Object.entries(lookAlikes)) {
    t.not(username, name);
    const answer = await t.context.api.post('/user/data', signUpFields({ username }));
    t.is(answer.status, 409, `${label}: ${answer.text}`);
    t.deepEqual(
      answer.body,
      { code: 'USR_05', message: 'User with this username already exists.', field: 'username' },
      label,
    );
  }
  // The owner's name still works as it did, in any case.
  const login = await t.context.api.post('/api-token-auth/', {
    username: name.toUpperCase(),
    password: owner.password,
  });
  t.is(login.status, 200, login.text);
  // A name that merely shares letters is free.
  const other = await t.context.api.post('/user/data', signUpFields({ username: `${name}x` }));
  t.is(other.status, 200, other.text);
});

test('the first of two look-alikes wins, whichever script it is in', async (t) => {
  const latin = uniqueUsername('ada');
  const cyrillic = `${latin.slice(0, 2)}\u0430${latin.slice(3)}`;
  t.not(cyrillic, latin);
  await signUp(t.context.api, { username: cyrillic });
  const answer = await t.context.api.post('/user/data', signUpFields({ username: latin }));
  t.is(answer.status, 409, answer.text);
  t.like(answer.body, { code: 'USR_05', field: 'username' });
});
