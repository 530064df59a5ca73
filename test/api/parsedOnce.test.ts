import anyTest, { type TestFn } from 'ava';
import {
  changePasswordInput,
  createPostInput,
  type InputSpec,
  listPostsInput,
  loginInput,
  postIdInput,
  profileInput,
  signUpInput,
  verifyTokenInput,
} from '@plaza/core/host';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { createPost, signUp, signUpFields, type SignedUpUser } from '../support/builders.js';
import { Api, type ApiResponse } from '../support/http.js';

// Each request's parameters are checked once, by the core: a route hands them over raw. Every
// field of every input spec counts the checks it makes; each request below gives every field
// its route knows, so each of them must be checked exactly once, and no other spec's field.

interface Context {
  readonly target: InProcessTarget;
  readonly api: Api;
  readonly author: SignedUpUser;
  readonly postId: number;
}

const test = anyTest as TestFn<Context>;

const SPECS: Readonly<Record<string, InputSpec>> = {
  signUpInput,
  profileInput,
  loginInput,
  verifyTokenInput,
  changePasswordInput,
  createPostInput,
  postIdInput,
  listPostsInput,
};

/** How often each field's check ran since the last reset, as `specName.field`. */
const checks = new Map<string, number>();
const restores: Array<() => void> = [];

/** Makes each field's schema count its `safeParse` calls (the check `parseInput` makes). */
function countChecks(): void {
  for (const [specName, spec] of Object.entries(SPECS)) {
    for (const [field, { schema }] of Object.entries(spec)) {
      const key = `${specName}.${field}`;
      const check = schema.safeParse.bind(schema);
      Object.defineProperty(schema, 'safeParse', {
        configurable: true,
        writable: true,
        value: (...args: Parameters<typeof check>) => {
          checks.set(key, (checks.get(key) ?? 0) + 1);
          return check(...args);
        },
      });
      restores.push(() => delete (schema as { safeParse?: unknown }).safeParse);
    }
  }
}

test.before(async (t) => {
  const target = await startInProcessTarget();
  const api = new Api(target.baseUrl);
  const author = await signUp(api);
  const postId = await createPost(api, author.token);
  countChecks();
  t.context = { target, api, author, postId };
});
test.after.always(async (t) => {
  for (const restore of restores) restore();
  await t.context.target.close();
});

/** One check for each of `fields` of `specName`, and none of any other spec. */
const once = (specName: string, fields: readonly string[]): Record<string, number> =>
  Object.fromEntries(fields.map((field) => [`${specName}.${field}`, 1]));

async function checksDuring(
  request: () => Promise<ApiResponse>,
): Promise<{ response: ApiResponse; counted: Record<string, number> }> {
  checks.clear();
  const response = await request();
  return { response, counted: Object.fromEntries(checks) };
}

const SIGN_UP_EXTRAS = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  birth_date: '1815-12-10',
  location: 'London',
  city: 'London',
  state: 'England',
  country: 'UK',
  lat: '51.5',
  lng: '-0.12',
  bio: 'Wrote the first program.',
  site: 'https://ada.example/',
  avatar: 'https://ada.example/ada.png',
};

test.serial('POST /user/data checks each sign-up field once', async (t) => {
  const fields = { ...signUpFields(), ...SIGN_UP_EXTRAS };
  const { response, counted } = await checksDuring(() => t.context.api.post('/user/data', fields));
  t.is(response.status, 200, response.text);
  t.deepEqual(counted, once('signUpInput', Object.keys(fields)));
});

test.serial('GET /user/data checks user_id once, asked or implied by the token', async (t) => {
  const { api, author } = t.context;
  const asked = await checksDuring(() => api.get('/user/data', { user_id: author.userId }));
  t.is(asked.response.status, 200, asked.response.text);
  t.deepEqual(asked.counted, once('profileInput', ['user_id']));

  const own = await checksDuring(() => api.get('/user/data', {}, { token: author.token }));
  t.is(own.response.status, 200, own.response.text);
  t.deepEqual(own.counted, once('profileInput', ['user_id']));
});

test.serial('POST /api-token-auth/ and /api-token-verify/ check each field once', async (t) => {
  const { api, author } = t.context;
  const login = await checksDuring(() =>
    api.post('/api-token-auth/', { username: author.username, password: author.password }),
  );
  t.is(login.response.status, 200, login.response.text);
  t.deepEqual(login.counted, once('loginInput', ['username', 'password']));

  const verify = await checksDuring(() =>
    api.post('/api-token-verify/', { token: author.token }, { as: 'json' }),
  );
  t.is(verify.response.status, 200, verify.response.text);
  t.deepEqual(verify.counted, once('verifyTokenInput', ['token']));
});

test.serial('POST /post/data checks title, text and link once', async (t) => {
  const { api, author } = t.context;
  const { response, counted } = await checksDuring(() =>
    api.post(
      '/post/data',
      { title: 'Once', text: 'Checked once', link: 'https://plaza.example/once' },
      { token: author.token },
    ),
  );
  t.is(response.status, 200, response.text);
  t.deepEqual(counted, once('createPostInput', ['title', 'text', 'link']));
});

test.serial('GET /post/list checks author_id, limit and before once', async (t) => {
  const { api, author, postId } = t.context;
  const { response, counted } = await checksDuring(() =>
    api.get('/post/list', { author_id: author.userId, limit: 5, before: postId + 1 }),
  );
  t.is(response.status, 200, response.text);
  t.deepEqual(counted, once('listPostsInput', ['author_id', 'limit', 'before']));
});

for (const [method, path] of [
  ['GET', '/post/read'],
  ['GET', '/post/likes'],
  ['POST', '/post/like'],
  ['POST', '/post/unlike'],
] as const) {
  test.serial(`${method} ${path} checks post_id once`, async (t) => {
    const { api, author, postId } = t.context;
    const { response, counted } = await checksDuring(() =>
      method === 'GET'
        ? api.get(path, { post_id: postId })
        : api.post(path, { post_id: postId }, { token: author.token }),
    );
    t.is(response.status, 200, response.text);
    t.deepEqual(counted, once('postIdInput', ['post_id']));
  });
}

test.serial('a refused request is refused by its one check', async (t) => {
  const { api, author } = t.context;
  const { response, counted } = await checksDuring(() =>
    api.post('/post/like', { post_id: 'abc' }, { token: author.token }),
  );
  t.is(response.status, 400);
  t.deepEqual(response.body, {
    code: 'USR_02',
    message: 'post_id must be a positive integer.',
    field: 'post_id',
  });
  t.deepEqual(counted, once('postIdInput', ['post_id']));
});

// Last: it ends every earlier session of the author.
test.serial('POST /user/password checks old_password and new_password once', async (t) => {
  const { api, author } = t.context;
  const { response, counted } = await checksDuring(() =>
    api.post(
      '/user/password',
      { old_password: author.password, new_password: `${author.password}-next` },
      { token: author.token },
    ),
  );
  t.is(response.status, 200, response.text);
  t.deepEqual(counted, once('changePasswordInput', ['old_password', 'new_password']));
});
