/**
 * What every post in an answer carries beside the kept fields (its author, its comment count
 * and, for a signed-in reader, `liked_by_me`), how the read routes take a token (a bad one is
 * read as none, as these routes always answered anyone), and the kept like count.
 */
import anyTest, { type TestFn } from 'ava';
import { createPost, signUp } from '../support/builders.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

interface PostData {
  readonly post_id: number;
  readonly likes: number;
  readonly author: Record<string, unknown>;
  readonly comments: number;
  readonly liked_by_me?: boolean;
}

const KEPT_KEYS = ['post_id', 'author_id', 'title', 'text', 'link', 'likes', 'posted', 'edited'];

test('a post answer keeps its fields first, in their order, then its author and comment count', async (t) => {
  // Every field of the author summary given, so that a server enriching profiles (REAL_SERVER
  // with PLAZA_PROVIDERS=fake fills empty ones) answers the same.
  const author = await signUp(t.context.api, {
    first_name: 'Ada',
    last_name: 'Lovelace',
    avatar: 'https://ada.example/avatar.png',
  });
  const postId = await createPost(t.context.api, author.token, {
    title: 'Notes',
    text: 'On the engine',
    link: 'https://ada.example/notes',
  });
  const read = await t.context.api.get('/post/read', { post_id: postId });
  t.is(read.status, 200);
  const data = read.body['data'] as Record<string, unknown>;
  t.deepEqual(Object.keys(data), [...KEPT_KEYS, 'author', 'comments']);
  t.like(data, {
    post_id: postId,
    author_id: author.userId,
    title: 'Notes',
    text: 'On the engine',
    link: 'https://ada.example/notes',
    likes: 0,
    comments: 0,
  });
  t.deepEqual(data['author'], {
    user_id: author.userId,
    username: author.username,
    first_name: 'Ada',
    last_name: 'Lovelace',
    avatar: 'https://ada.example/avatar.png',
  });
  // The kept part of the text, byte for byte: the new keys only follow it.
  const keptPrefix = JSON.stringify(
    Object.fromEntries(KEPT_KEYS.map((key) => [key, data[key]])),
  ).slice(0, -1);
  t.true(read.text.startsWith(`{"code":"OK","data":${keptPrefix},"author":{`));

  const listed = await t.context.api.get('/post/list', { author_id: author.userId });
  const [first] = (listed.body['data'] as { posts: Array<Record<string, unknown>> }).posts;
  t.deepEqual(first, data);
});

test('signed in, each post says whether you like it; anonymous readers get no liked_by_me', async (t) => {
  const author = await signUp(t.context.api);
  const fan = await signUp(t.context.api);
  const liked = await createPost(t.context.api, author.token, { title: 'liked' });
  const notLiked = await createPost(t.context.api, author.token, { title: 'not liked' });
  await t.context.api.post('/post/like', { post_id: liked }, { token: fan.token });

  const asFan = async (postId: number): Promise<PostData> =>
    (await t.context.api.get('/post/read', { post_id: postId }, { token: fan.token })).body[
      'data'
    ] as PostData;
  t.like(await asFan(liked), { liked_by_me: true, likes: 1 });
  t.like(await asFan(notLiked), { liked_by_me: false, likes: 0 });
  const asAuthor = await t.context.api.get(
    '/post/read',
    { post_id: liked },
    { token: author.token, scheme: 'Bearer' },
  );
  t.is((asAuthor.body['data'] as PostData).liked_by_me, false);
  const anonymous = (await t.context.api.get('/post/read', { post_id: liked })).body[
    'data'
  ] as PostData;
  t.false('liked_by_me' in anonymous);

  const page = await t.context.api.get(
    '/post/list',
    { author_id: author.userId },
    { token: fan.token },
  );
  const posts = (page.body['data'] as { posts: PostData[] }).posts;
  t.deepEqual(
    posts.map((post) => [post.post_id, post.liked_by_me]),
    [
      [notLiked, false],
      [liked, true],
    ],
  );
  const anonymousPage = await t.context.api.get('/post/list', { author_id: author.userId });
  t.true(
    (anonymousPage.body['data'] as { posts: PostData[] }).posts.every(
      (post) => !('liked_by_me' in post),
    ),
  );
});

test('a bad, forged, malformed or revoked token on /post/read and /post/list is read as no token: 200', async (t) => {
  const author = await signUp(t.context.api);
  const fan = await signUp(t.context.api);
  const postId = await createPost(t.context.api, author.token);
  await t.context.api.post('/post/like', { post_id: postId }, { token: fan.token });
  // Revoked: a logout everywhere ends every token issued so far.
  const revoked = fan.token;
  const loggedOut = await t.context.api.post('/user/logout-all', {}, { token: fan.token });
  t.is(loggedOut.status, 200);
  const forged = `${author.token.slice(0, author.token.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
  const headers: Array<Record<string, string>> = [
    { authorization: 'JWT not-a-token' },
    { authorization: `Bearer ${forged}` },
    { authorization: `JWT ${revoked}` },
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: 'JWT' },
  ];
  for (const header of headers) {
    const read = await t.context.api.get('/post/read', { post_id: postId }, { headers: header });
    t.is(read.status, 200, header['authorization']);
    t.like(read.body['data'], { post_id: postId, likes: 1 });
    t.false('liked_by_me' in (read.body['data'] as PostData), header['authorization']);
    const list = await t.context.api.get(
      '/post/list',
      { author_id: author.userId },
      { headers: header },
    );
    t.is(list.status, 200, header['authorization']);
    const posts = (list.body['data'] as { posts: PostData[] }).posts;
    t.deepEqual(
      posts.map((post) => post.post_id),
      [postId],
    );
    t.false('liked_by_me' in (posts[0] as PostData));
  }
});

test('50 users liking and unliking one post at once: the count is the number of likes left', async (t) => {
  const author = await signUp(t.context.api);
  const postId = await createPost(t.context.api, author.token);
  const fans = await Promise.all(Array.from({ length: 50 }, () => signUp(t.context.api)));
  // Half of them like first, so that their unlikes below have something to take back.
  const early = fans.slice(0, 25);
  await Promise.all(
    early.map((fan) => t.context.api.post('/post/like', { post_id: postId }, { token: fan.token })),
  );
  const answers = await Promise.all([
    ...fans
      .slice(25)
      .map((fan) => t.context.api.post('/post/like', { post_id: postId }, { token: fan.token })),
    ...early
      .slice(0, 15)
      .map((fan) => t.context.api.post('/post/unlike', { post_id: postId }, { token: fan.token })),
    // Repeats change nothing, however they interleave.
    ...early
      .slice(15)
      .map((fan) => t.context.api.post('/post/like', { post_id: postId }, { token: fan.token })),
  ]);
  t.true(answers.every((answer) => answer.status === 200));
  const likers = await t.context.api.get('/post/likes', { post_id: postId });
  const userIds = (likers.body['data'] as { user_ids: number[] }).user_ids;
  t.is(userIds.length, 35);
  const read = await t.context.api.get('/post/read', { post_id: postId });
  t.is((read.body['data'] as PostData).likes, 35);
  const listed = await t.context.api.get('/post/list', { author_id: author.userId });
  t.is((listed.body['data'] as { posts: PostData[] }).posts[0]?.likes, 35);
});
