import anyTest, { type TestFn } from 'ava';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { createPost, signUp, signUpFields, type SignedUpUser } from '../support/builders.js';
import { Api, type ApiResponse } from '../support/http.js';

/** SECURITY.md's promise: a body nests at most this many objects and arrays. */
const MAX_DEPTH = 32;

const TOO_DEEP = { code: 'USR_02', message: 'The request body is nested too deeply.' };

interface Context {
  readonly target: InProcessTarget;
  readonly api: Api;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  const target = await startInProcessTarget();
  t.context = { target, api: new Api(target.baseUrl) };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

type Fields = Readonly<Record<string, string | number>>;

/**
 * `fields` as a JSON object, plus an `extra` field of nested arrays that makes the whole body
 * `depth` levels deep (the body's own object is the first). No route reads `extra`.
 */
function jsonOfDepth(fields: Fields, depth: number): string {
  const arrays = depth - 1;
  const object = JSON.stringify(fields);
  const head = object === '{}' ? '{' : `${object.slice(0, -1)},`;
  return `${head}"extra":${'['.repeat(arrays)}${']'.repeat(arrays)}}`;
}

/** `fields` as a form, plus `extra[a][a]…=1`: qs nests one object per bracket. */
function formOfDepth(fields: Fields, depth: number): string {
  const form = new URLSearchParams(
    Object.entries(fields).map(([key, value]): [string, string] => [key, String(value)]),
  );
  return `${form.toString()}&extra${'[a]'.repeat(depth - 1)}=1`;
}

function postBody(
  api: Api,
  path: string,
  body: string,
  token?: string,
  as: 'json' | 'form' = 'json',
): Promise<ApiResponse> {
  const contentType = as === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  return api.send('POST', path, body, {
    headers: { 'content-type': contentType },
    ...(token === undefined ? {} : { token }),
  });
}

async function postsOf(api: Api, user: SignedUpUser): Promise<unknown[]> {
  const listed = await api.get('/post/list', { author_id: user.userId });
  return (listed.body['data'] as { posts: unknown[] }).posts;
}

test('POST /post/data with a valid post and a field nested 10,000 deep is refused; nothing is created', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const post = { title: 'deep', text: 'nested field' };
  for (const depth of [10_000, MAX_DEPTH + 1]) {
    const refused = await postBody(api, '/post/data', jsonOfDepth(post, depth), author.token);
    t.is(refused.status, 400, `depth ${depth}: ${refused.text}`);
    t.deepEqual(refused.body, TOO_DEEP, `depth ${depth}`);
  }
  t.deepEqual(await postsOf(api, author), [], 'no post was created');

  const atLimit = await postBody(api, '/post/data', jsonOfDepth(post, MAX_DEPTH), author.token);
  t.is(atLimit.status, 200, atLimit.text);
  t.is((await postsOf(api, author)).length, 1, 'at the limit, the post is created');
});

test('a sign-up nested too deep is refused and the username stays free', async (t) => {
  const { api } = t.context;
  const fields = signUpFields();
  for (const depth of [10_000, MAX_DEPTH + 1]) {
    const refused = await postBody(api, '/user/data', jsonOfDepth(fields, depth));
    t.is(refused.status, 400, `depth ${depth}: ${refused.text}`);
    t.deepEqual(refused.body, TOO_DEEP, `depth ${depth}`);
  }
  const plain = await api.post('/user/data', fields);
  t.is(plain.status, 200, `the username was not taken: ${plain.text}`);

  const atLimit = await postBody(api, '/user/data', jsonOfDepth(signUpFields(), MAX_DEPTH));
  t.is(atLimit.status, 200, atLimit.text);
});

test('a like nested too deep is refused and the post stays unliked', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const fan = await signUp(api);
  const postId = await createPost(api, author.token);
  const likers = async (): Promise<unknown> =>
    (await api.get('/post/likes', { post_id: postId })).body['data'];

  for (const depth of [10_000, MAX_DEPTH + 1]) {
    const body = jsonOfDepth({ post_id: postId }, depth);
    const refused = await postBody(api, '/post/like', body, fan.token);
    t.is(refused.status, 400, `depth ${depth}: ${refused.text}`);
    t.deepEqual(refused.body, TOO_DEEP, `depth ${depth}`);
  }
  t.deepEqual(await likers(), { user_ids: [] });

  const body = jsonOfDepth({ post_id: postId }, MAX_DEPTH);
  const atLimit = await postBody(api, '/post/like', body, fan.token);
  t.is(atLimit.status, 200, atLimit.text);
  t.deepEqual(await likers(), { user_ids: [fan.userId] });
});

test('a login nested too deep is refused without a token', async (t) => {
  const { api } = t.context;
  const user = await signUp(api);
  const credentials = { username: user.username, password: user.password };
  for (const depth of [10_000, MAX_DEPTH + 1]) {
    const refused = await postBody(api, '/api-token-auth/', jsonOfDepth(credentials, depth));
    t.is(refused.status, 400, `depth ${depth}: ${refused.text}`);
    t.deepEqual(refused.body, TOO_DEEP, `depth ${depth}`);
  }
  const atLimit = await postBody(api, '/api-token-auth/', jsonOfDepth(credentials, MAX_DEPTH));
  t.is(atLimit.status, 200, atLimit.text);
  t.is(typeof atLimit.body['token'], 'string');
});

test('form bodies have the same limit: one level per bracket of a key', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const post = { title: 'deep form', text: 'nested key' };
  for (const depth of [1_000, MAX_DEPTH + 1]) {
    const body = formOfDepth(post, depth);
    const refused = await postBody(api, '/post/data', body, author.token, 'form');
    t.is(refused.status, 400, `depth ${depth}: ${refused.text}`);
    t.deepEqual(refused.body, TOO_DEEP, `depth ${depth}`);
  }
  t.deepEqual(await postsOf(api, author), [], 'no post was created');

  const body = formOfDepth(post, MAX_DEPTH);
  const atLimit = await postBody(api, '/post/data', body, author.token, 'form');
  t.is(atLimit.status, 200, atLimit.text);
  t.is((await postsOf(api, author)).length, 1);
});

test('every route that reads a body refuses one nested too deep, known or not', async (t) => {
  const { api } = t.context;
  const user = await signUp(api);
  const postId = await createPost(api, user.token);
  const routes: Array<[string, Fields]> = [
    ['/post/unlike', { post_id: postId }],
    ['/api-token-verify/', { token: user.token }],
    ['/user/request-retrieve-data', {}],
    ['/no/such/route', {}],
  ];
  for (const [path, fields] of routes) {
    const refused = await postBody(api, path, jsonOfDepth(fields, MAX_DEPTH + 1), user.token);
    t.is(refused.status, 400, `${path}: ${refused.text}`);
    t.deepEqual(refused.body, TOO_DEEP, path);
  }
});
