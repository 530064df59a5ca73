import anyTest, { type TestFn } from 'ava';
import { PlazaError, type Plaza } from '@plaza/core';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { createPost, signUp, signUpFields, type SignedUpUser } from '../support/builders.js';
import { Api, type ApiResponse } from '../support/http.js';

// An embedder calling a service with the parameters a client sent gets the refusal the HTTP
// API gives for them, word for word: one set of checks, in the core, serves both.

interface Context {
  readonly target: InProcessTarget;
  readonly api: Api;
  readonly user: SignedUpUser;
  readonly postId: number;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  const target = await startInProcessTarget();
  const api = new Api(target.baseUrl);
  const user = await signUp(api);
  const postId = await createPost(api, user.token);
  t.context = { target, api, user, postId };
});
test.after.always(async (t) => {
  await t.context.target.close();
});

type Params = Readonly<Record<string, string | number>>;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Whether the route needs a token. */
  readonly signedIn: boolean;
  /** The same operation called directly, as an embedder would. */
  readonly call: (plaza: Plaza, raw: Params, userId: number) => Promise<unknown>;
}

const ROUTES: Readonly<Record<string, Route>> = {
  signUp: {
    method: 'POST',
    path: '/user/data',
    signedIn: false,
    call: (plaza, raw) => plaza.users.signUp(raw),
  },
  profile: {
    method: 'GET',
    path: '/user/data',
    signedIn: false,
    call: (plaza, raw) => plaza.users.profile(raw),
  },
  login: {
    method: 'POST',
    path: '/api-token-auth/',
    signedIn: false,
    call: (plaza, raw) => plaza.auth.login(raw),
  },
  verifyToken: {
    method: 'POST',
    path: '/api-token-verify/',
    signedIn: false,
    call: (plaza, raw) => plaza.auth.checkToken(raw),
  },
  changePassword: {
    method: 'POST',
    path: '/user/password',
    signedIn: true,
    call: (plaza, raw, userId) => plaza.auth.changePassword(userId, raw),
  },
  createPost: {
    method: 'POST',
    path: '/post/data',
    signedIn: true,
    call: (plaza, raw, userId) => plaza.posts.create(userId, raw),
  },
  readPost: {
    method: 'GET',
    path: '/post/read',
    signedIn: false,
    call: (plaza, raw) => plaza.posts.read(raw),
  },
  listPosts: {
    method: 'GET',
    path: '/post/list',
    signedIn: false,
    call: (plaza, raw) => plaza.posts.list(raw),
  },
  likers: {
    method: 'GET',
    path: '/post/likes',
    signedIn: false,
    call: (plaza, raw) => plaza.posts.likers(raw),
  },
  like: {
    method: 'POST',
    path: '/post/like',
    signedIn: true,
    call: (plaza, raw, userId) => plaza.likes.like(userId, raw),
  },
  unlike: {
    method: 'POST',
    path: '/post/unlike',
    signedIn: true,
    call: (plaza, raw, userId) => plaza.likes.unlike(userId, raw),
  },
};

/** A valid sign-up, made invalid one field at a time below. */
const VALID_SIGN_UP: Readonly<Record<string, string>> = signUpFields();

/** Parameters each route refuses; JSON cases send numbers as numbers. */
const REFUSED: ReadonlyArray<readonly [keyof typeof ROUTES, Params, 'form' | 'json']> = [
  ['signUp', {}, 'form'],
  ['signUp', { ...VALID_SIGN_UP, username: 'two words' }, 'form'],
  ['signUp', { ...VALID_SIGN_UP, email: 'nobody' }, 'form'],
  ['signUp', { ...VALID_SIGN_UP, lat: 91 }, 'json'],
  ['signUp', { ...VALID_SIGN_UP, password: 12345678 }, 'json'],
  ['signUp', { ...VALID_SIGN_UP, birth_date: '2999-01-01' }, 'form'],
  ['signUp', { ...VALID_SIGN_UP, site: 'javascript:alert(1)' }, 'form'],
  ['profile', { user_id: 'me' }, 'form'],
  ['profile', { user_id: '0' }, 'form'],
  ['login', { username: 'ada' }, 'form'],
  ['login', { username: 7, password: 'secret' }, 'json'],
  ['verifyToken', {}, 'form'],
  ['changePassword', { new_password: 'plum-kettle-orbit-42' }, 'form'],
  ['changePassword', { old_password: 1, new_password: 2 }, 'json'],
  ['createPost', { text: 'No title' }, 'form'],
  ['createPost', { title: 'x'.repeat(256), text: 'Long title' }, 'form'],
  ['createPost', { title: 'Bad link', text: 'x', link: 'ftp://plaza.example/' }, 'form'],
  ['createPost', { title: 'A number', text: 42 }, 'json'],
  ['readPost', {}, 'form'],
  ['readPost', { post_id: '2147483648' }, 'form'],
  ['listPosts', { limit: '0' }, 'form'],
  ['listPosts', { author_id: '-3' }, 'form'],
  ['listPosts', { before: 'yesterday' }, 'form'],
  ['likers', { post_id: '1e3' }, 'form'],
  ['like', { post_id: 1.5 }, 'json'],
  ['unlike', {}, 'form'],
];

function send(api: Api, route: Route, params: Params, as: 'form' | 'json', token?: string) {
  const options = { as, ...(token === undefined ? {} : { token }) };
  return route.method === 'GET'
    ? api.get(route.path, params, options)
    : api.post(route.path, params, options);
}

/** The answer the error middleware gives for a PlazaError. */
const answerFor = (error: PlazaError): Record<string, unknown> => ({
  code: error.code,
  message: error.message,
  ...(error.field === undefined ? {} : { field: error.field }),
});

/** The parameters that make a case, without the valid sign-up fields it keeps. */
const shown = (params: Params): string =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(params).filter(([key, value]) => VALID_SIGN_UP[key] !== value),
    ),
  ).slice(0, 80);

for (const [name, params, as] of REFUSED) {
  const route = ROUTES[name] as Route;
  test(`${name} ${shown(params)} (${as}): HTTP and a direct call refuse alike`, async (t) => {
    const { api, target, user } = t.context;
    const response: ApiResponse = await send(
      api,
      route,
      params,
      as,
      route.signedIn ? user.token : undefined,
    );
    const error = await t.throwsAsync(route.call(target.plaza, params, user.userId), {
      instanceOf: PlazaError,
    });
    t.is(response.status, 400);
    t.deepEqual(response.body, answerFor(error));
    t.true(['PAR_01', 'USR_02'].includes(error.code), error.code);
  });
}

// Who wins when both the token and the parameters are bad: the token, as before.
for (const name of ['changePassword', 'createPost', 'like', 'unlike'] as const) {
  test(`${name} without a token and with bad parameters → AUT_01`, async (t) => {
    const response = await send(t.context.api, ROUTES[name] as Route, { post_id: 'x' }, 'form');
    t.is(response.status, 401);
    t.deepEqual(response.body, {
      code: 'AUT_01',
      message: 'The auth token is invalid.',
      field: 'TOKEN',
    });
  });
}

test('GET /user/data with neither user_id nor token → AUT_01, not PAR_01', async (t) => {
  const response = await t.context.api.get('/user/data', { user_id: '' });
  t.is(response.status, 401);
  t.is(response.body['code'], 'AUT_01');
});

test('a JSON body that is not an object is refused before its fields are checked', async (t) => {
  const { api, user } = t.context;
  const response = await api.send('POST', '/post/like', '[1]', {
    token: user.token,
    headers: { 'content-type': 'application/json' },
  });
  t.is(response.status, 400);
  t.deepEqual(response.body, {
    code: 'USR_02',
    message: 'The request body must be a JSON object.',
  });
});
