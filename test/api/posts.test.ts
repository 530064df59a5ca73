import anyTest, { type TestFn } from 'ava';
import { createPost, signUp } from '../support/builders.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

interface PostData {
  post_id: number;
  author_id: number;
  title: string;
  text: string;
  link: string | null;
  likes: number;
  posted: string;
  edited: string;
}

const readPost = async (t: { context: ApiContext }, postId: number): Promise<PostData> => {
  const response = await t.context.api.get('/post/read', { post_id: postId });
  return response.body['data'] as PostData;
};

test('a post is created and read back with its fields', async (t) => {
  const author = await signUp(t.context.api);
  const created = await t.context.api.post(
    '/post/data',
    {
      title: 'Hello, Plaza',
      text: 'First post\nwith two lines',
      link: 'https://plaza.example/p/1',
    },
    { token: author.token },
  );
  t.is(created.status, 200);
  const postId = (created.body['data'] as { post_id: number }).post_id;

  const read = await t.context.api.get('/post/read', { post_id: postId });
  t.is(read.status, 200);
  const post = read.body['data'] as PostData;
  t.like(post, {
    post_id: postId,
    author_id: author.userId,
    title: 'Hello, Plaza',
    text: 'First post\nwith two lines',
    link: 'https://plaza.example/p/1',
    likes: 0,
  });
  t.false(Number.isNaN(Date.parse(post.posted)));
  t.is(post.edited, post.posted);
});

test('post validation: long title, missing text, bad link', async (t) => {
  const { token } = await signUp(t.context.api);
  const long = await t.context.api.post(
    '/post/data',
    { title: 'x'.repeat(256), text: 't' },
    { token },
  );
  t.like(long.body, { code: 'USR_02', field: 'title' });
  const noText = await t.context.api.post('/post/data', { title: 'x' }, { token });
  t.deepEqual(noText.body, { code: 'PAR_01', message: 'Missing HTTP param.', field: 'text' });
  const badLink = await t.context.api.post(
    '/post/data',
    { title: 'x', text: 't', link: 'data:text/html,hi' },
    { token },
  );
  t.like(badLink.body, { code: 'USR_02', field: 'link' });
  t.is(badLink.status, 400);
  const exactly255 = await t.context.api.post(
    '/post/data',
    { title: '✓'.repeat(255), text: 't' },
    { token },
  );
  t.is(exactly255.status, 200, 'the limit counts characters, not bytes');
});

test('reading a post that does not exist → USR_01 (404)', async (t) => {
  const response = await t.context.api.get('/post/read', { post_id: 987654321 });
  t.is(response.status, 404);
  t.deepEqual(response.body, { code: 'USR_01', message: 'Object not found.' });
  const malformed = await t.context.api.get('/post/read', { post_id: 'abc' });
  t.like(malformed.body, { code: 'USR_02', field: 'post_id' });
  const missing = await t.context.api.get('/post/read');
  t.like(missing.body, { code: 'PAR_01', field: 'post_id' });
});

test('an id past the largest a row can have (2^31 - 1) is USR_02 on every route, never a 500', async (t) => {
  const fan = await signUp(t.context.api);
  const tooLarge = 2 ** 31;
  const answers = [
    await t.context.api.get('/post/read', { post_id: tooLarge }),
    await t.context.api.get('/post/likes', { post_id: tooLarge }),
    await t.context.api.get('/post/list', { author_id: tooLarge }),
    await t.context.api.post('/post/like', { post_id: tooLarge }, { token: fan.token }),
    await t.context.api.post('/post/unlike', { post_id: String(tooLarge) }, { token: fan.token }),
  ];
  for (const answer of answers) {
    t.is(answer.status, 400);
    t.like(answer.body, { code: 'USR_02' });
    t.regex(
      String((answer.body as { message?: unknown }).message),
      /^(post|author)_id is too large\.$/,
    );
  }
  const largest = await t.context.api.get('/post/read', { post_id: 2 ** 31 - 1 });
  t.deepEqual(largest.body, { code: 'USR_01', message: 'Object not found.' });
});

test('like and unlike are idempotent and counted', async (t) => {
  const author = await signUp(t.context.api);
  const fan = await signUp(t.context.api);
  const postId = await createPost(t.context.api, author.token);

  for (let i = 0; i < 2; i += 1) {
    const liked = await t.context.api.post('/post/like', { post_id: postId }, { token: fan.token });
    t.deepEqual(liked.body, { code: 'OK' });
  }
  t.is((await readPost(t, postId)).likes, 1);
  const likers = await t.context.api.get('/post/likes', { post_id: postId });
  t.deepEqual(likers.body, { code: 'OK', data: { user_ids: [fan.userId] } });

  for (let i = 0; i < 2; i += 1) {
    const unliked = await t.context.api.post(
      '/post/unlike',
      { post_id: postId },
      { token: fan.token },
    );
    t.deepEqual(unliked.body, { code: 'OK' });
  }
  t.is((await readPost(t, postId)).likes, 0);
});

test('20 concurrent identical likes leave exactly one', async (t) => {
  const author = await signUp(t.context.api);
  const fan = await signUp(t.context.api);
  const postId = await createPost(t.context.api, author.token);
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      t.context.api.post('/post/like', { post_id: postId }, { token: fan.token }),
    ),
  );
  t.true(answers.every((answer) => answer.status === 200 && answer.body['code'] === 'OK'));
  t.is((await readPost(t, postId)).likes, 1);
});

test('liking a missing post → USR_01; liking needs a token', async (t) => {
  const fan = await signUp(t.context.api);
  const missing = await t.context.api.post(
    '/post/like',
    { post_id: 987654321 },
    { token: fan.token },
  );
  t.is(missing.status, 404);
  t.is(missing.body['code'], 'USR_01');
  const unlikeMissing = await t.context.api.post(
    '/post/unlike',
    { post_id: 987654321 },
    { token: fan.token },
  );
  t.is(unlikeMissing.body['code'], 'USR_01');
  const anonymous = await t.context.api.post('/post/like', { post_id: 1 });
  t.is(anonymous.status, 401);
  t.is(anonymous.body['code'], 'AUT_01');
});

test('the likers of a post are listed in ascending id order', async (t) => {
  const author = await signUp(t.context.api);
  const fans = await Promise.all([
    signUp(t.context.api),
    signUp(t.context.api),
    signUp(t.context.api),
  ]);
  const postId = await createPost(t.context.api, author.token);
  for (const fan of [...fans].reverse()) {
    await t.context.api.post('/post/like', { post_id: postId }, { token: fan.token, as: 'json' });
  }
  const likers = await t.context.api.get('/post/likes', { post_id: postId });
  t.deepEqual(
    (likers.body['data'] as { user_ids: number[] }).user_ids,
    fans.map((f) => f.userId).sort((a, b) => a - b),
  );
});

test('post list: newest first, per author, paged with a cursor', async (t) => {
  const author = await signUp(t.context.api);
  const other = await signUp(t.context.api);
  const mine: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    mine.push(await createPost(t.context.api, author.token, { title: `post ${i}` }));
    await createPost(t.context.api, other.token, { title: `noise ${i}` });
  }
  const seen: number[] = [];
  let before: number | null = null;
  for (let page = 0; page < 10; page += 1) {
    const params: Record<string, number> = { author_id: author.userId, limit: 3 };
    if (before !== null) params['before'] = before;
    const response = await t.context.api.get('/post/list', params);
    t.is(response.status, 200);
    const data = response.body['data'] as { posts: PostData[]; next: number | null };
    t.true(data.posts.every((post) => post.author_id === author.userId));
    seen.push(...data.posts.map((post) => post.post_id));
    before = data.next;
    if (before === null) break;
  }
  t.deepEqual(seen, [...mine].reverse());
});

test('post list limits: 0 and 101 are refused, 100 is fine', async (t) => {
  for (const limit of [0, 101, -1]) {
    const response = await t.context.api.get('/post/list', { limit });
    t.like(response.body, { code: 'USR_02', field: 'limit' });
  }
  const ok = await t.context.api.get('/post/list', { limit: 100 });
  t.is(ok.status, 200);
  t.true((ok.body['data'] as { posts: unknown[] }).posts.length <= 100);
});

test('likes of a missing post → USR_01', async (t) => {
  const response = await t.context.api.get('/post/likes', { post_id: 987654321 });
  t.is(response.status, 404);
  t.is(response.body['code'], 'USR_01');
});
