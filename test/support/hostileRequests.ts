import { createHmac } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { RawRequest } from './rawHttp.js';

/**
 * A parameter value as the fuzz sends it. Besides JSON's own values: literal number text
 * that JavaScript cannot hold (`1e309`, `-0`, `2**53+1`), and objects kept as entry lists
 * so that keys such as `__proto__` travel as data instead of changing a prototype.
 */
export type FuzzValue = string | number | boolean | null | RawJson | FuzzList | FuzzObject;

export interface RawJson {
  readonly kind: 'raw';
  readonly json: string;
}

export interface FuzzList {
  readonly kind: 'list';
  readonly items: readonly FuzzValue[];
}

export interface FuzzObject {
  readonly kind: 'object';
  readonly entries: readonly Entry[];
}

type Entry = readonly [key: string, value: FuzzValue];

/** What the fuzz knows about the server it attacks. */
export interface FuzzWorld {
  readonly users: ReadonlyArray<{
    readonly userId: number;
    readonly token: string;
    readonly username: string;
    readonly password: string;
  }>;
  readonly postIds: readonly number[];
  /** The index in `users` of each post's author, in the order of `postIds`. */
  readonly postAuthors: readonly number[];
  /** Comments on the posts above. */
  readonly commentIds: readonly number[];
  /** The index in `users` of each comment's author, in the order of `commentIds`. */
  readonly commentAuthors: readonly number[];
  /**
   * Refresh tokens of sessions of their own (not those of `users`' tokens): a reused one
   * ends its session, which must not sign the world's users out.
   */
  readonly refreshTokens: readonly string[];
  /**
   * Users the routes that end a session or an account (`/user/logout`, `/user/delete`) are
   * sent as, so that those leave `users` signed in.
   */
  readonly expendable: ReadonlyArray<{
    readonly userId: number;
    readonly token: string;
    readonly password: string;
  }>;
  /** The server's JWT secret: to mint expired tokens, and tokens of users that do not exist. */
  readonly jwtSecret: string;
  /** The server's body limit in bytes. */
  readonly bodyLimitBytes: number;
}

/** A request and, when the request alone decides it, the statuses its answer may have. */
export interface FuzzRequest extends RawRequest {
  readonly expect?: readonly number[];
  /**
   * The route of the OpenAPI document this request is for, when it was sent to that route's
   * own path with its own method (not a variant of either): its answer must be one the
   * document describes.
   */
  readonly route?: { readonly method: string; readonly path: string };
  readonly [fc.toStringMethod]: () => string;
}

// ---------------------------------------------------------------- rendering

/** A value as JSON text; objects keep their keys, duplicates and `__proto__` included. */
export function toJson(value: FuzzValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  switch (value.kind) {
    case 'raw':
      return value.json;
    case 'list':
      return `[${value.items.map(toJson).join(',')}]`;
    case 'object':
      return objectJson(value.entries);
  }
}

const objectJson = (entries: readonly Entry[]): string =>
  `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${toJson(item)}`).join(',')}}`;

/** Form or query pairs: lists become repeated keys, objects `key[sub]` (what `qs` nests). */
function toPairs(key: string, value: FuzzValue): Array<[string, string]> {
  if (value === null) return [[key, '']];
  if (typeof value !== 'object') return [[key, String(value)]];
  switch (value.kind) {
    case 'raw':
      return [[key, value.json]];
    case 'list':
      return value.items.length === 0
        ? [[`${key}[]`, '']]
        : value.items.flatMap((item) => toPairs(key, item));
    case 'object':
      return value.entries.flatMap(([sub, item]) => toPairs(`${key}[${sub}]`, item));
  }
}

/** Percent-encodes UTF-8; a lone surrogate goes as U+FFFD, as a browser would send it. */
const encode = (text: string): string =>
  encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8'));

const formText = (entries: readonly Entry[]): string =>
  entries
    .flatMap(([key, value]) => toPairs(key, value))
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .join('&');

// Header values may hold tab, visible ASCII and Latin-1 only (node:http refuses the rest).
const headerSafe = (value: string): string => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

// Node's parser answers a request line and headers over 16 KiB itself (431, no body), so
// query strings stay below that and long values travel in bodies.
const MAX_QUERY_LENGTH = 12_000;

/** SECURITY.md's limit: objects and arrays a body may nest, its own object counting as one. */
const MAX_BODY_DEPTH = 32;

// ---------------------------------------------------------------- values

const HOSTILE_CHARACTERS = [
  '\0',
  '\n',
  '\r',
  '\t',
  '\x1b',
  '\x7f',
  '\x85',
  '\u202e',
  '\u202d',
  '\u2066',
  '\u2069',
  '\u200b',
  '\ufeff',
  '\u2028',
  '\u2029',
  '\ud800',
  '\udfff',
  '\udbff',
  '\ufffd',
  '\u{10ffff}',
  '\u0301',
  '😀',
  'İ',
  'ß',
  'ﬀ',
  '%',
  '&',
  '=',
  '[',
  ']',
  '"',
  '\\',
  '+',
  '/',
  '?',
  '#',
  "'",
  '<',
  '>',
];

const hostileCharacter = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_CHARACTERS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

const hostileString = fc.string({ unit: hostileCharacter, maxLength: 40 });

const SPECIAL_STRINGS = [
  '',
  ' ',
  '0',
  '-0',
  '0x10',
  '1e309',
  '-1e309',
  '9007199254740993',
  '1e2',
  '1.5',
  ' 1',
  '1 ',
  '+1',
  '01',
  '١٢',
  '1_000',
  'Infinity',
  'NaN',
  'null',
  'undefined',
  'true',
  '[object Object]',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '${7*7}',
  '<script>alert(1)</script>',
  'evil\n{"level":60,"msg":"forged"}',
  '\x1b[31mred\x1b[0m',
  '\r\nSet-Cookie: a=b',
  '../../etc/passwd',
  'javascript:alert(1)',
  'http://',
  'https://example.com/\u202e',
  'file:///etc/passwd',
  'data:text/html,x',
  'http://[::1]:80/',
  'http://user:pass@example.com/',
];

const specialString = fc.constantFrom(...SPECIAL_STRINGS);

const raw = (json: string): RawJson => ({ kind: 'raw', json });

const specialNumber: fc.Arbitrary<FuzzValue> = fc.oneof(
  fc.constantFrom<FuzzValue>(
    0,
    -1,
    1.5,
    2 ** 53,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    2 ** 31,
    1e21,
  ),
  fc
    .constantFrom(
      '1e309',
      '-1e309',
      '-0',
      '9007199254740993',
      '1e-400',
      '1E2',
      '0.0',
      '1.0',
      '-0.0',
      '123456789012345678901234567890',
    )
    .map(raw),
  fc.double(),
  fc.integer(),
);

const repeat = (units: readonly string[], min: number, max: number): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...units), fc.integer({ min, max }))
    .map(([unit, times]) => unit.repeat(Math.ceil(times / unit.length)));

const longString = repeat(['x', 'é', '😀', '\u202e', '\0', 'a\n', '%'], 256, 20_000);
/** Up to about a megabyte: always over the body limit, so a 413. */
const veryLongString = repeat(['x', '\u202e', '\ud800', 'ab'], 90_000, 1_100_000);

const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isAdmin',
  'post_id',
  'user_id',
  'id',
  '',
];

const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  { weight: 1, arbitrary: hostileString },
);

const scalar: fc.Arbitrary<FuzzValue> = fc.oneof(
  hostileString,
  specialString,
  specialNumber,
  fc.boolean(),
  fc.constant(null),
);

const { nested } = fc.letrec<{ nested: FuzzValue; list: FuzzValue; object: FuzzValue }>((tie) => ({
  nested: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    tie('list'),
    tie('object'),
  ),
  list: fc.array(tie('nested'), { maxLength: 4 }).map((items) => ({ kind: 'list', items })),
  object: fc
    .array(fc.tuple(key, tie('nested')), { maxLength: 4 })
    .map((entries) => ({ kind: 'object', entries })),
}));

/** A value meant to be refused: wrong types, odd numbers, control characters, length. */
const hostile = (valid: fc.Arbitrary<FuzzValue>): fc.Arbitrary<FuzzValue> =>
  fc.oneof(
    { weight: 64, arbitrary: hostileString },
    { weight: 48, arbitrary: specialString },
    { weight: 32, arbitrary: specialNumber },
    { weight: 32, arbitrary: nested },
    { weight: 16, arbitrary: fc.boolean() },
    { weight: 16, arbitrary: fc.constant(null) },
    { weight: 8, arbitrary: longString },
    // The same key twice: `?post_id=1&post_id=2`, or a JSON array.
    {
      weight: 16,
      arbitrary: fc
        .tuple(valid, valid)
        .map(([a, b]): FuzzValue => ({ kind: 'list', items: [a, b] })),
    },
    // Rare: sign-up has fifteen parameters, each a chance.
    { weight: 1, arbitrary: veryLongString },
  );

/** Mostly valid, often hostile. */
const param = (valid: fc.Arbitrary<FuzzValue>): fc.Arbitrary<FuzzValue> =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: hostile(valid) });

const numberOrDigits = (numbers: fc.Arbitrary<number>): fc.Arbitrary<FuzzValue> =>
  fc.oneof(numbers, numbers.map(String));

// ---------------------------------------------------------------- tokens

const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function mintToken(
  secret: string,
  payload: Record<string, unknown>,
  algorithm: 'HS256' | 'HS512' = 'HS256',
): string {
  const unsigned = `${base64url({ alg: algorithm, typ: 'JWT' })}.${base64url(payload)}`;
  const hash = algorithm === 'HS256' ? 'sha256' : 'sha512';
  return `${unsigned}.${createHmac(hash, secret).update(unsigned).digest('base64url')}`;
}

function tokens(world: FuzzWorld): { valid: fc.Arbitrary<string>; bad: fc.Arbitrary<string> } {
  const now = Math.floor(Date.now() / 1000);
  const valid = world.users.map((user) => user.token);
  const someone = String(world.users[0]?.userId ?? 1);
  const live = { iat: now, exp: now + 3600 };
  const [header = '', , signature = ''] = valid[0]?.split('.') ?? [];
  const bad = [
    mintToken(world.jwtSecret, { sub: someone, iat: now - 7200, exp: now - 3600 }),
    mintToken(world.jwtSecret, { sub: someone, iat: now }),
    mintToken(world.jwtSecret, { sub: '999999', ...live }),
    mintToken(world.jwtSecret, { sub: '0', ...live }),
    mintToken(world.jwtSecret, { sub: '-1', ...live }),
    mintToken(world.jwtSecret, { sub: 'abc', ...live }),
    mintToken(world.jwtSecret, { sub: 1, ...live }),
    mintToken(world.jwtSecret, { sub: '9999999999999999', ...live }),
    mintToken(world.jwtSecret, { sub: '01', ...live }),
    mintToken(world.jwtSecret, { ...live }),
    mintToken(world.jwtSecret, { sub: someone, ...live }, 'HS512'),
    mintToken('another-secret-that-is-also-long-enough-0123456789', { sub: someone, ...live }),
    `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: someone, ...live })}.`,
    `${header}.${base64url({ sub: '2', ...live })}.${signature}`,
    (valid[0] ?? 'a.b.c').slice(0, -3),
    'a.b.c',
    '...',
    'x'.repeat(5000),
  ];
  return {
    valid: fc.constantFrom(...valid),
    bad: fc.oneof(fc.constantFrom(...bad), hostileString),
  };
}

function authorization(
  world: FuzzWorld,
  validTokens?: readonly string[],
): fc.Arbitrary<string | undefined> {
  const { valid: usual, bad } = tokens(world);
  const valid =
    validTokens === undefined || validTokens.length === 0 ? usual : fc.constantFrom(...validTokens);
  const scheme = fc.constantFrom('JWT', 'Bearer', 'jwt', 'bearer', 'BEARER', 'JWT  ', 'JWT\t');
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant(undefined) },
    { weight: 10, arbitrary: fc.tuple(scheme, valid).map(([s, token]) => `${s} ${token}`) },
    { weight: 4, arbitrary: fc.tuple(scheme, bad).map(([s, token]) => `${s} ${token}`) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom(
          'JWT',
          'Bearer',
          'JWT ',
          'Basic dXNlcjpwYXNz',
          'Bearer null',
          'JWT a b',
          'Token x',
          '',
        ),
        valid.map((token) => `JWT ${token} extra`),
        valid.map((token) => `Bearer ${token},Bearer ${token}`),
      ),
    },
    { weight: 2, arbitrary: hostileString },
  );
}

// ---------------------------------------------------------------- routes

interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly weight: number;
  readonly params: fc.Arbitrary<Entry[]>;
  /** Who it is sent as, when not the world's users (see `FuzzWorld.expendable`). */
  readonly authorization?: fc.Arbitrary<string | undefined>;
  /**
   * Now and then, parameters and the authorization drawn together, so that they belong
   * together (a post with its author's token, a password with its user's token): without
   * it, such a request hardly ever succeeds.
   */
  readonly together?: fc.Arbitrary<readonly [Entry[], string]>;
}

type Spec = Readonly<Record<string, fc.Arbitrary<FuzzValue>>>;

/**
 * Each parameter drawn from `value(its valid values)`, and absent one time in
 * `absentOneIn(name)` (always present when that is undefined).
 */
function entries(
  spec: Spec,
  value: (valid: fc.Arbitrary<FuzzValue>) => fc.Arbitrary<FuzzValue>,
  absentOneIn: (name: string) => number | undefined,
): fc.Arbitrary<Entry[]> {
  const names = Object.keys(spec);
  return fc
    .tuple(
      ...names.map((name) => {
        const drawn = value(spec[name] as fc.Arbitrary<FuzzValue>);
        const freq = absentOneIn(name);
        return freq === undefined ? drawn : fc.option(drawn, { freq, nil: undefined });
      }),
    )
    .map((values) =>
      values.flatMap((item, index): Entry[] =>
        item === undefined ? [] : [[names[index] as string, item]],
      ),
    );
}

/**
 * Three times in four every parameter may be hostile; otherwise all are valid, the required
 * ones present, so that every route also succeeds now and then (and writes).
 */
function paramsFrom(spec: Spec, required: readonly string[] = []): fc.Arbitrary<Entry[]> {
  return fc.oneof(
    { weight: 3, arbitrary: entries(spec, param, () => 6) },
    {
      weight: 1,
      arbitrary: entries(
        spec,
        (valid) => valid,
        (name) => (required.includes(name) ? undefined : 2),
      ),
    },
  );
}

function routes(world: FuzzWorld): Route[] {
  const known = (ids: readonly number[]): fc.Arbitrary<FuzzValue> =>
    numberOrDigits(
      fc.oneof(fc.constantFrom(...ids), fc.integer({ min: 1, max: 2_000 }), fc.constant(2 ** 40)),
    );
  const postId = known(world.postIds);
  const userId = known(world.users.map((user) => user.userId));
  // "Valid" here means well-formed: some are taken, weak or undeliverable all the same.
  const username = fc.oneof(
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.@+-]{1,24}$/) },
    { weight: 4, arbitrary: fc.nat().map((n) => `fz_${n}`) },
    { weight: 1, arbitrary: fc.constantFrom(...world.users.map((user) => user.username)) },
  );
  const password = fc.oneof(
    { weight: 4, arbitrary: fc.base64String({ minLength: 12, maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 8, maxLength: 30 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'xx',
        'password',
        '12345678',
        'qwertyuiop',
        ...world.users.map((u) => u.password),
      ),
    },
  );
  const email = fc.oneof(
    { weight: 6, arbitrary: fc.nat().map((n) => `fz.${n}@example.com`) },
    { weight: 1, arbitrary: fc.emailAddress() },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'undeliverable.x@example.com',
        'a@b.invalid',
        'x@mailinator.com',
        'no-at-sign',
      ),
    },
  );
  const line = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.lorem({ maxCount: 5 }));
  const text = fc.oneof(
    { weight: 10, arbitrary: fc.lorem({ maxCount: 40, mode: 'sentences' }) },
    { weight: 10, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
    { weight: 4, arbitrary: fc.constant('line one\nline two\r\n\ttabbed') },
    // Just under the body limit and the length limit: accepted.
    { weight: 1, arbitrary: fc.constant('x'.repeat(99_000)) },
  );
  const url = fc.oneof(
    fc.webUrl(),
    fc.constantFrom('https://example.com/a?b=c#d', 'http://localhost:8000/'),
  );
  const date = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .date({ min: new Date('1900-01-01'), max: new Date('2025-01-01'), noInvalidDate: true })
        .map((at) => at.toISOString().slice(0, 10)),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '2020-02-29',
        '2021-02-29',
        '9999-12-31',
        '2020-13-01',
        '2020-1-1',
      ),
    },
  );
  const between = (min: number, max: number): fc.Arbitrary<FuzzValue> =>
    numberOrDigits(fc.double({ min, max, noNaN: true }));
  // What sign-up and an update share: the email and the profile's fields.
  const profile: Spec = {
    email,
    first_name: line,
    last_name: line,
    birth_date: date,
    location: line,
    city: line,
    state: line,
    country: line,
    lat: between(-90, 90),
    lng: between(-180, 180),
    bio: text,
    site: url,
    avatar: url,
  };
  const { valid: validToken, bad: badToken } = tokens(world);

  const login = fc.oneof(
    paramsFrom({ username, password }, ['username', 'password']),
    fc.constantFrom(...world.users).map((user): Entry[] => [
      ['username', user.username],
      ['password', user.password],
    ]),
  );
  return [
    { method: 'POST', path: '/api-token-auth/', weight: 8, params: login },
    route('POST', '/api-token-verify/', 5, { token: fc.oneof(validToken, badToken) }, ['token']),
    route('POST', '/user/data', 12, { username, password, ...profile }, [
      'username',
      'password',
      'email',
    ]),
    route('GET', '/user/data', 6, { user_id: userId }, ['user_id']),
    route('POST', '/user/request-retrieve-data', 3),
    route('POST', '/post/data', 12, { title: line, text, link: url }, ['title', 'text']),
    route('GET', '/post/read', 8, { post_id: postId }, ['post_id']),
    route('GET', '/post/list', 6, {
      author_id: userId,
      limit: numberOrDigits(fc.integer({ min: 1, max: 100 })),
      before: postId,
    }),
    route('GET', '/post/likes', 5, { post_id: postId }, ['post_id']),
    route('POST', '/post/like', 10, { post_id: postId }, ['post_id']),
    route('POST', '/post/unlike', 6, { post_id: postId }, ['post_id']),
    route('GET', '/healthz', 2),
    ...socialRoutes(world, { postId, userId, line, text, url, profile }),
    ...analyticsRoutes(world, postId, userId, date),
  ];
}

/** Likes per day (issue 16), at both of its paths: ranges near today, long, reversed or malformed. */
function analyticsRoutes(
  world: FuzzWorld,
  postId: fc.Arbitrary<FuzzValue>,
  userId: fc.Arbitrary<FuzzValue>,
  date: fc.Arbitrary<FuzzValue>,
): Route[] {
  const today = Date.now();
  const near = fc
    .integer({ min: -400, max: 400 })
    .map((days) => new Date(today + days * 86_400_000).toISOString().slice(0, 10));
  const day = fc.oneof({ weight: 3, arbitrary: near }, { weight: 1, arbitrary: date });
  const params = paramsFrom({ date_from: day, date_to: day, post_id: postId, author_id: userId }, [
    'date_from',
    'date_to',
  ]);
  // A well-formed range of up to a year near today, over everything, a post or an author.
  const range = fc
    .tuple(
      near,
      fc.integer({ min: 0, max: 365 }),
      fc.oneof(
        fc.constant<Entry[]>([]),
        fc.constantFrom(...world.postIds).map((id): Entry[] => [['post_id', id]]),
        fc.constantFrom(...world.users).map((user): Entry[] => [['author_id', user.userId]]),
      ),
      fc.constantFrom(...world.users),
    )
    .map(([from, days, filter, user]) => {
      const to = new Date(Date.parse(`${from}T00:00:00Z`) + days * 86_400_000);
      const entries: Entry[] = [
        ['date_from', from],
        ['date_to', to.toISOString().slice(0, 10)],
        ...filter,
      ];
      return [entries, `JWT ${user.token}`] as const;
    });
  return [
    { method: 'GET', path: '/analytics/likes', weight: 4, params, together: range },
    { method: 'GET', path: '/api/analitics/', weight: 3, params, together: range },
  ];
}

/**
 * A route sent with parameters drawn from `spec` (see `paramsFrom`: `required` are present
 * whenever all are valid), or with none when there is no `spec`.
 */
function route(
  method: Route['method'],
  path: string,
  weight: number,
  spec?: Spec,
  required: readonly string[] = [],
): Route {
  return {
    method,
    path,
    weight,
    params: spec === undefined ? fc.constant([]) : paramsFrom(spec, required),
  };
}

/** The social product's routes (issue 15): profiles, follows, the feed, comments, sessions, leaving. */
function socialRoutes(
  world: FuzzWorld,
  values: {
    readonly postId: fc.Arbitrary<FuzzValue>;
    readonly userId: fc.Arbitrary<FuzzValue>;
    readonly line: fc.Arbitrary<FuzzValue>;
    readonly text: fc.Arbitrary<FuzzValue>;
    readonly url: fc.Arbitrary<FuzzValue>;
    /** The email and the profile's fields, as sign-up draws them. */
    readonly profile: Spec;
  },
): Route[] {
  const { postId, userId, line, text, url, profile } = values;
  const limit = numberOrDigits(fc.integer({ min: 1, max: 100 }));
  const commentId = numberOrDigits(
    fc.oneof(
      ...(world.commentIds.length > 0 ? [fc.constantFrom(...world.commentIds)] : []),
      fc.integer({ min: 1, max: 2_000 }),
      fc.constant(2 ** 40),
    ),
  );
  const refreshToken = fc.oneof(
    ...(world.refreshTokens.length > 0 ? [fc.constantFrom(...world.refreshTokens)] : []),
    fc.base64String({ minLength: 20, maxLength: 60 }),
    fc.constantFrom('', 'x', 'null'),
  );
  const commentText = fc.oneof(
    { weight: 8, arbitrary: text },
    // The limit is 5,000 code points: at it, and just past it.
    { weight: 1, arbitrary: fc.constantFrom('😀'.repeat(5_000), 'x'.repeat(5_001)) },
  );
  const usernames = world.users.map((user) => user.username);
  const username = fc.oneof(
    fc.constantFrom(...usernames, ...usernames.map((name) => name.toUpperCase())),
    fc.stringMatching(/^[A-Za-z0-9_.@+-]{1,24}$/),
  );
  const expendable = authorization(
    world,
    world.expendable.map((user) => user.token),
  );
  const password = fc.oneof(
    fc.constantFrom(...world.expendable.map((user) => user.password)),
    fc.base64String({ minLength: 12, maxLength: 24 }),
  );
  const page = { user_id: userId, limit, before: postId };
  // A post of the world with its author's token, as its author would send it.
  const ownPost = fc.nat({ max: world.postIds.length - 1 }).map((index) => ({
    post_id: world.postIds[index]!,
    authorization: `JWT ${world.users[world.postAuthors[index]!]!.token}`,
  }));
  return [
    route('POST', '/user/update', 6, profile),
    route('GET', '/user/data', 4, { username }, ['username']),
    route('POST', '/user/follow', 5, { user_id: userId }, ['user_id']),
    route('POST', '/user/unfollow', 4, { user_id: userId }, ['user_id']),
    route('GET', '/user/followers', 3, page, ['user_id']),
    route('GET', '/user/following', 3, page, ['user_id']),
    route('GET', '/feed', 5, { limit, before: postId }),
    {
      ...route('POST', '/post/edit', 5, { post_id: postId, title: line, text, link: url }, [
        'post_id',
      ]),
      together: fc
        .tuple(ownPost, paramsFrom({ title: line, text, link: url }))
        .map(
          ([own, params]) => [[['post_id', own.post_id], ...params], own.authorization] as const,
        ),
    },
    {
      ...route('POST', '/post/delete', 2, { post_id: postId }, ['post_id']),
      together: ownPost.map((own) => [[['post_id', own.post_id]], own.authorization] as const),
    },
    route('POST', '/post/comment', 6, { post_id: postId, text: commentText }, ['post_id', 'text']),
    route('GET', '/post/comments', 4, { post_id: postId, limit, after: commentId }, ['post_id']),
    {
      ...route('POST', '/comment/delete', 3, { comment_id: commentId }, ['comment_id']),
      ...(world.commentIds.length === 0
        ? {}
        : {
            together: fc
              .nat({ max: world.commentIds.length - 1 })
              .map(
                (index) =>
                  [
                    [['comment_id', world.commentIds[index]!]],
                    `JWT ${world.users[world.commentAuthors[index]!]!.token}`,
                  ] as const,
              ),
          }),
    },
    route('POST', '/api-token-refresh/', 4, { refresh_token: refreshToken }, ['refresh_token']),
    route('GET', '/user/sessions', 3),
    route('GET', '/user/export', 2),
    // The inbox (issue 16): its entries' ids are row ids like any other.
    route('GET', '/notifications', 4, { limit, before: postId }),
    route('POST', '/notifications/read', 3, { up_to: postId }, ['up_to']),
    route('GET', '/user/activity', 3, { user_id: userId }),
    { ...route('POST', '/user/logout', 2), authorization: expendable },
    {
      ...route('POST', '/user/delete', 2, { password }, ['password']),
      authorization: expendable,
      together: fc
        .constantFrom(...world.expendable)
        .map((user) => [[['password', user.password]], `JWT ${user.token}`] as const),
    },
  ];
}

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'PROPFIND',
  'TRACE',
  'MKCOL',
  'SEARCH',
  'LOCK',
  'PURGE',
];

const method = (usual: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 17, arbitrary: fc.constant(usual) },
    { weight: 3, arbitrary: fc.constantFrom(...METHODS) },
  );

const encodeAll = (text: string): string =>
  [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

const routePath = (path: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 16, arbitrary: fc.constant(path) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `${path}/`,
        path.replace(/\/$/, ''),
        path.toUpperCase(),
        `/${path}`,
        `${path}/x`,
        `${path}%2F`,
        `${path};x`,
        `${path}%00`,
        `${path}/..`,
        `${path.slice(0, -1)}${encodeAll(path.slice(-1))}`,
        `${path}.json`,
      ),
    },
  );

const UNKNOWN_PATHS = [
  '/',
  '/admin',
  '/.env',
  '/..%2f..%2fetc%2fpasswd',
  '/post',
  '/post/',
  '/user',
  '/user-watch',
  '/api-token-auth',
  '/%E0%A4%A',
  '/%',
  '/%00',
  '/post/read/../like',
  '/__proto__',
  '/constructor/prototype',
  '/post/%E2%80%AEdaer',
  '*',
];

const unknownPath = fc.oneof(
  fc.constantFrom(...UNKNOWN_PATHS),
  fc.array(hostileString.map(encode), { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
);

// ---------------------------------------------------------------- bodies

type Placement =
  | { readonly kind: 'natural' }
  | { readonly kind: 'query' }
  | { readonly kind: 'form'; readonly contentType: string }
  | { readonly kind: 'json'; readonly contentType: string }
  | { readonly kind: 'compressed'; readonly encoding: Encoding; readonly as: 'json' | 'form' }
  | { readonly kind: 'wrong-type'; readonly contentType: string; readonly as: 'json' | 'form' }
  | { readonly kind: 'raw'; readonly body: RawBody };

type Encoding = 'gzip' | 'deflate' | 'br';

interface RawBody {
  readonly contentType: string;
  readonly bytes: Buffer | string;
  readonly encoding?: string;
  /** The status this body earns on any route, if its method's bodies are read. */
  readonly expect?: number;
}

const compress = (encoding: Encoding, bytes: Buffer | string): Buffer =>
  encoding === 'gzip'
    ? gzipSync(bytes)
    : encoding === 'deflate'
      ? deflateSync(bytes)
      : brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } });

let bombs: RawBody[] | undefined;

/** Small compressed, huge inflated: made once, they cost a few hundred milliseconds. */
function gzipBombs(): RawBody[] {
  bombs ??= (['gzip', 'deflate', 'br'] as const).flatMap((encoding) =>
    [1_000_000, 10_000_000].map((size) => ({
      contentType: 'application/json',
      bytes: compress(encoding, `{"bio":"${'0'.repeat(size)}"}`),
      encoding,
      expect: 413,
    })),
  );
  return bombs;
}

const INVALID_JSON = [
  '{',
  '{"a":',
  '{"a" 1}',
  "{'a':1}",
  '{"a":1,}',
  '{a:1}',
  'NaN',
  '{"a":NaN}',
  '\ufeff{}',
  '{"post_id":1}{"post_id":2}',
  '',
  ' ',
  '{"a":01}',
  '{"a":"\t"}',
  '/*c*/{}',
  '{"a":"\\x41"}',
  '{"a":"\\ud800"}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
];

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'text/html',
  'application/xml',
  'multipart/form-data',
  'multipart/form-data; boundary=zz',
  'application/octet-stream',
  '',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=nope',
  'application/x-www-form-urlencoded; charset=utf-7',
  'application/jsonx',
  '*/*',
  'application/json-patch+json',
  'application/vnd.api+json',
];

const INVALID_UTF8 = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xfe]];

function rawBodies(limit: number): fc.Arbitrary<RawBody> {
  const json = (bytes: Buffer | string): RawBody => ({ contentType: 'application/json', bytes });
  return fc.oneof(
    fc.oneof(fc.constantFrom(...INVALID_JSON), hostileString).map(json),
    fc.constantFrom('[1,2]', '"text"', '42', 'null', 'true', '[]', '[{"post_id":1}]').map(json),
    // Deeply nested JSON: past the depth limit a 400 wherever bodies are read (413 past the
    // size limit), never a stack overflow.
    fc
      .record({
        depth: fc.integer({ min: 16, max: 40_000 }),
        shape: fc.constantFrom('array', 'object', 'field'),
      })
      .map(({ depth, shape }): RawBody => {
        const body =
          shape === 'array'
            ? `${'['.repeat(depth)}${']'.repeat(depth)}`
            : shape === 'object'
              ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
              : `{"post_id":${'['.repeat(depth)}${']'.repeat(depth)}}`;
        const levels = shape === 'field' ? depth + 1 : depth;
        const expect = body.length > limit ? 413 : levels > MAX_BODY_DEPTH ? 400 : undefined;
        return { ...json(body), ...(expect === undefined ? {} : { expect }) };
      }),
    fc.constantFrom(...gzipBombs()),
    fc
      .record({
        encoding: fc.constantFrom('gzip', 'deflate', 'br', 'gzip, deflate'),
        bytes: fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
          fc.constant(gzipSync('{"post_id":1}').subarray(0, 12)),
        ),
      })
      .map(({ encoding, bytes }) => ({ contentType: 'application/json', bytes, encoding })),
    fc
      .constantFrom('compress', 'x-foo', 'identity', 'GZIP', 'gzip;q=1')
      .map((encoding) => ({ contentType: 'application/json', bytes: '{"post_id":1}', encoding })),
    // Over the limit, compressed or not: 413 before anything is parsed.
    fc
      .record({
        size: fc.integer({ min: limit + 1, max: 1_200_000 }),
        as: fc.constantFrom('json', 'form'),
      })
      .map(({ size, as }) =>
        as === 'json'
          ? { contentType: 'application/json', bytes: `{"bio":"${'x'.repeat(size)}"}`, expect: 413 }
          : {
              contentType: 'application/x-www-form-urlencoded',
              bytes: `bio=${'x'.repeat(size)}`,
              expect: 413,
            },
      ),
    fc
      .constantFrom(...INVALID_UTF8)
      .map((bad) =>
        json(
          Buffer.concat([
            Buffer.from('{"username":"fz'),
            Buffer.from(bad),
            Buffer.from('","title":"t'),
            Buffer.from(bad),
            Buffer.from('","text":"x","password":"x","email":"a@example.com","post_id":1}'),
          ]),
        ),
      ),
  );
}

function placement(limit: number): fc.Arbitrary<Placement> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ kind: 'natural' } as const) },
    { weight: 2, arbitrary: fc.constant({ kind: 'query' } as const) },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(
          'application/x-www-form-urlencoded',
          'application/x-www-form-urlencoded; charset=utf-8',
          'APPLICATION/X-WWW-FORM-URLENCODED',
        )
        .map((contentType) => ({ kind: 'form', contentType }) as const),
    },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON')
        .map((contentType) => ({ kind: 'json', contentType }) as const),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({
          encoding: fc.constantFrom<Encoding>('gzip', 'deflate', 'br'),
          as: fc.constantFrom<'json' | 'form'>('json', 'form'),
        })
        .map((c) => ({ kind: 'compressed', ...c }) as const),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({
          contentType: fc.constantFrom(...WRONG_CONTENT_TYPES),
          as: fc.constantFrom<'json' | 'form'>('json', 'form'),
        })
        .map((c) => ({ kind: 'wrong-type', ...c }) as const),
    },
    {
      weight: 2,
      arbitrary: rawBodies(limit).map((body) => ({ kind: 'raw', body }) as const),
    },
  );
}

// ---------------------------------------------------------------- requests

interface Draft {
  readonly method: string;
  readonly routeMethod: 'GET' | 'POST' | undefined;
  /** The route's own path, when the draft is for a known route. */
  readonly routePath?: string;
  readonly path: string;
  readonly params: readonly Entry[];
  readonly extras: readonly Entry[];
  readonly placement: Placement;
  readonly authorization: string | undefined;
  readonly queryNoise: string;
}

/** Methods whose bodies the server reads (koa-body's parsedMethods). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const FORM = 'application/x-www-form-urlencoded';

function render(draft: Draft): FuzzRequest {
  const entries = [...draft.params, ...draft.extras];
  const headers: Record<string, string> = {};
  if (draft.authorization !== undefined) {
    headers['authorization'] = headerSafe(draft.authorization);
  }
  let query = draft.queryNoise;
  let body: Buffer | string | undefined;
  let expect: number | undefined;
  let where = draft.placement;
  if (where.kind === 'natural') {
    where = draft.routeMethod === 'POST' ? { kind: 'form', contentType: FORM } : { kind: 'query' };
  }
  if (where.kind === 'query') {
    const text = formText(entries);
    if (text.length + query.length <= MAX_QUERY_LENGTH) {
      query = [text, query].filter((part) => part !== '').join('&');
    } else {
      where = { kind: 'form', contentType: FORM };
    }
  }
  switch (where.kind) {
    case 'form':
      headers['content-type'] = where.contentType;
      body = formText(entries);
      break;
    case 'json':
      headers['content-type'] = where.contentType;
      body = objectJson(entries);
      break;
    case 'compressed':
      headers['content-type'] = where.as === 'json' ? 'application/json' : FORM;
      headers['content-encoding'] = where.encoding;
      body = compress(
        where.encoding,
        where.as === 'json' ? objectJson(entries) : formText(entries),
      );
      break;
    case 'wrong-type':
      headers['content-type'] = where.contentType;
      body = where.as === 'json' ? objectJson(entries) : formText(entries);
      break;
    case 'raw':
      headers['content-type'] = where.body.contentType;
      if (where.body.encoding !== undefined) headers['content-encoding'] = where.body.encoding;
      body = where.body.bytes;
      expect = where.body.expect;
      break;
    case 'query':
      break;
  }
  const path = query === '' ? draft.path : `${draft.path}?${query}`;
  const expectStatus =
    expect !== undefined && BODY_METHODS.has(draft.method) ? [expect] : undefined;
  const route =
    draft.routeMethod !== undefined &&
    draft.method === draft.routeMethod &&
    draft.path === draft.routePath
      ? { method: draft.method, path: draft.path }
      : undefined;
  const request = {
    method: draft.method,
    path,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(expectStatus === undefined ? {} : { expect: expectStatus }),
    ...(route === undefined ? {} : { route }),
  };
  return { ...request, [fc.toStringMethod]: () => describeRequest(request) };
}

/** A request in a few hundred characters, for failure reports. */
export function describeRequest(request: RawRequest): string {
  const cut = (text: string, max = 300): string =>
    text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
  const body =
    request.body === undefined
      ? ''
      : ` body=${JSON.stringify(cut(Buffer.from(request.body).toString('latin1')))}`;
  return `${request.method} ${cut(request.path, 200)} headers=${JSON.stringify(request.headers ?? {})}${body}`;
}

const queryNoise = fc.oneof(
  { weight: 12, arbitrary: fc.constant('') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '%',
      '%zz',
      '%E0%A4%A',
      '&&&',
      '=',
      '==x',
      'post_id',
      ';post_id=1',
      'post_id=1&post_id=2',
      'post_id[]=1',
      'post_id[a]=1',
      '__proto__[isAdmin]=1',
      'constructor[prototype][isAdmin]=1',
      'user_id=1&user_id=',
    ),
  },
);

const extras = fc.oneof(
  { weight: 5, arbitrary: fc.constant<Entry[]>([]) },
  {
    weight: 1,
    arbitrary: fc.array(
      fc.tuple(key, fc.oneof(scalar, nested)).map(([k, v]): Entry => [k, v]),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
  },
);

/**
 * Random requests across every route, unknown paths and wrong methods, with parameters
 * drawn from valid values and hostile ones, sent as query strings, forms, JSON or worse.
 */
export function fuzzRequests(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const auth = authorization(world);
  const where = placement(world.bodyLimitBytes);
  const known = routes(world).map((route) => {
    const apart = fc.tuple(route.params, route.authorization ?? auth);
    const drawn =
      route.together === undefined
        ? apart
        : fc.oneof({ weight: 3, arbitrary: apart }, { weight: 1, arbitrary: route.together });
    return {
      weight: route.weight,
      arbitrary: fc
        .record({
          method: method(route.method),
          path: routePath(route.path),
          drawn,
          extras,
          placement: where,
          queryNoise,
        })
        .map(({ drawn: [params, authorization], ...draft }) =>
          render({
            ...draft,
            params,
            authorization,
            routeMethod: route.method,
            routePath: route.path,
          }),
        ),
    };
  });
  const unknown = {
    weight: 4,
    arbitrary: fc
      .record({
        method: fc.constantFrom(...METHODS),
        path: unknownPath,
        params: paramsFrom({ post_id: fc.nat() }),
        extras,
        placement: where,
        authorization: auth,
        queryNoise,
      })
      .map((draft) => render({ ...draft, routeMethod: undefined })),
  };
  return fc.oneof(...known, unknown);
}
