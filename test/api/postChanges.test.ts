/**
 * POST /post/edit and POST /post/delete: only by the author, checked as at creation, and
 * whole under races (an edit racing a delete, likes racing a delete).
 */
import anyTest, { type TestFn } from 'ava';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import type { Api } from '../support/http.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

interface PostData {
  readonly post_id: number;
  readonly author_id: number;
  readonly title: string;
  readonly text: string;
  readonly link: string | null;
  readonly likes: number;
  readonly posted: string;
  readonly edited: string;
  readonly liked_by_me?: boolean;
}

/**
 * An author whose summary (names, avatar) is given in full: a server that enriches profiles
 * (REAL_SERVER with PLAZA_PROVIDERS=fake fills empty fields a moment after sign-up) would
 * otherwise change the post's `author` between two reads that should be equal.
 */
const signUpAuthor = (api: Api): Promise<SignedUpUser> =>
  signUp(api, {
    first_name: 'Grace',
    last_name: 'Hopper',
    avatar: 'https://plaza.example/grace.png',
  });

const readPost = async (t: { context: ApiContext }, postId: number): Promise<PostData> => {
  const response = await t.context.api.get('/post/read', { post_id: postId });
  if (response.status !== 200) throw new Error(`read ${postId}: ${response.text}`);
  return response.body['data'] as PostData;
};

const NOT_YOURS = {
  code: 'USR_02',
  field: 'post_id',
  message: 'post_id is a post of another user; only its author may change it.',
};
const NOT_FOUND = { code: 'USR_01', message: 'Object not found.' };

test('the author edits the title alone: the rest stays, edited moves on, the answer is the post', async (t) => {
  const author = await signUpAuthor(t.context.api);
  const postId = await createPost(t.context.api, author.token, {
    title: 'Draft',
    text: 'Body',
    link: 'https://plaza.example/a',
  });
  const before = await readPost(t, postId);
  const edited = await t.context.api.post(
    '/post/edit',
    { post_id: postId, title: 'Final' },
    { token: author.token },
  );
  t.is(edited.status, 200);
  const answer = edited.body['data'] as PostData;
  t.like(answer, {
    post_id: postId,
    title: 'Final',
    text: 'Body',
    link: 'https://plaza.example/a',
    posted: before.posted,
    liked_by_me: false,
  });
  t.true(Date.parse(answer.edited) >= Date.parse(before.edited));
  t.not(answer.edited, before.edited);
  const { liked_by_me: _mine, ...asRead } = answer;
  t.deepEqual(await readPost(t, postId), asRead);
});

test('text and link change together; an empty link (form) or null (JSON) removes it', async (t) => {
  const author = await signUpAuthor(t.context.api);
  const postId = await createPost(t.context.api, author.token, { link: 'https://plaza.example/b' });
  const changed = await t.context.api.post(
    '/post/edit',
    { post_id: postId, text: 'New body\nsecond line', link: 'https://plaza.example/c' },
    { token: author.token, as: 'json' },
  );
  t.like(changed.body['data'], { text: 'New body\nsecond line', link: 'https://plaza.example/c' });
  const cleared = await t.context.api.post(
    '/post/edit',
    { post_id: postId, link: '' },
    { token: author.token },
  );
  t.like(cleared.body['data'], { link: null, text: 'New body\nsecond line' });
  await t.context.api.post(
    '/post/edit',
    { post_id: postId, link: 'https://plaza.example/d' },
    { token: author.token },
  );
  const viaJsonNull = await t.context.api.send(
    'POST',
    '/post/edit',
    JSON.stringify({ post_id: postId, link: null }),
    { token: author.token, headers: { 'content-type': 'application/json' } },
  );
  t.like(viaJsonNull.body['data'], { link: null });
  t.is((await readPost(t, postId)).link, null);
});

test('edits are checked as posts are written, and a refused edit changes nothing', async (t) => {
  const author = await signUpAuthor(t.context.api);
  const postId = await createPost(t.context.api, author.token, { title: 'Kept' });
  const before = await readPost(t, postId);
  const cases: ReadonlyArray<readonly [Record<string, string | number>, Record<string, string>]> = [
    [{ post_id: postId }, { code: 'PAR_01', field: 'title', message: 'Missing HTTP param.' }],
    [
      { post_id: postId, title: '' },
      { code: 'PAR_01', field: 'title' },
    ],
    [
      { post_id: postId, text: '' },
      { code: 'PAR_01', field: 'text' },
    ],
    [
      { post_id: postId, title: 'x'.repeat(256) },
      { code: 'USR_02', field: 'title' },
    ],
    [
      { post_id: postId, title: 'two\nlines' },
      { code: 'USR_02', field: 'title' },
    ],
    [
      { post_id: postId, link: 'javascript:alert(1)' },
      { code: 'USR_02', field: 'link' },
    ],
    [{ title: 'No id' }, { code: 'PAR_01', field: 'post_id' }],
    [
      { post_id: 'abc', title: 'x' },
      { code: 'USR_02', field: 'post_id' },
    ],
  ];
  for (const [params, expected] of cases) {
    const answer = await t.context.api.post('/post/edit', params, { token: author.token });
    t.is(answer.status, 400, JSON.stringify(params));
    t.like(answer.body, expected, JSON.stringify(params));
  }
  t.deepEqual(await readPost(t, postId), before);
});

test('only the author may edit or delete: others get USR_02 on post_id; a missing post is USR_01; no token AUT_01', async (t) => {
  const author = await signUpAuthor(t.context.api);
  const other = await signUp(t.context.api);
  const postId = await createPost(t.context.api, author.token, { title: 'Mine' });
  const before = await readPost(t, postId);
  const edit = await t.context.api.post(
    '/post/edit',
    { post_id: postId, title: 'Theirs' },
    { token: other.token },
  );
  t.is(edit.status, 400);
  t.deepEqual(edit.body, NOT_YOURS);
  const remove = await t.context.api.post(
    '/post/delete',
    { post_id: postId },
    { token: other.token },
  );
  t.is(remove.status, 400);
  t.deepEqual(remove.body, NOT_YOURS);
  t.deepEqual(await readPost(t, postId), before);

  for (const path of ['/post/edit', '/post/delete']) {
    const missing = await t.context.api.post(
      path,
      { post_id: 2 ** 31 - 1, title: 'x' },
      { token: author.token },
    );
    t.is(missing.status, 404, path);
    t.deepEqual(missing.body, NOT_FOUND, path);
    const anonymous = await t.context.api.post(path, { post_id: postId, title: 'x' });
    t.is(anonymous.status, 401, path);
    t.like(anonymous.body, { code: 'AUT_01' }, path);
  }
});

test('deleting a post removes it and its likes; it is then gone for every route', async (t) => {
  const author = await signUpAuthor(t.context.api);
  const fans = await Promise.all([signUp(t.context.api), signUp(t.context.api)]);
  const postId = await createPost(t.context.api, author.token);
  const kept = await createPost(t.context.api, author.token, { title: 'kept' });
  for (const fan of fans) {
    await t.context.api.post('/post/like', { post_id: postId }, { token: fan.token });
    await t.context.api.post('/post/like', { post_id: kept }, { token: fan.token });
  }
  const deleted = await t.context.api.post(
    '/post/delete',
    { post_id: postId },
    { token: author.token, as: 'json' },
  );
  t.is(deleted.status, 200);
  t.deepEqual(deleted.body, { code: 'OK' });

  const fan = fans[0].token;
  const gone = [
    await t.context.api.get('/post/read', { post_id: postId }),
    await t.context.api.get('/post/likes', { post_id: postId }),
    await t.context.api.post('/post/like', { post_id: postId }, { token: fan }),
    await t.context.api.post('/post/unlike', { post_id: postId }, { token: fan }),
    await t.context.api.post(
      '/post/edit',
      { post_id: postId, title: 'x' },
      { token: author.token },
    ),
    await t.context.api.post('/post/delete', { post_id: postId }, { token: author.token }),
  ];
  for (const answer of gone) t.deepEqual(answer.body, NOT_FOUND);
  const list = await t.context.api.get('/post/list', { author_id: author.userId });
  t.deepEqual(
    (list.body['data'] as { posts: PostData[] }).posts.map((post) => post.post_id),
    [kept],
  );
  t.is((await readPost(t, kept)).likes, 2);
});

test('an edit and a delete racing, 20 times: the edit is whole or refused, and the post is gone', async (t) => {
  const author = await signUpAuthor(t.context.api);
  const fan = await signUp(t.context.api);
  const postIds = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      createPost(t.context.api, author.token, { title: `before ${i}`, text: 'old text' }),
    ),
  );
  await Promise.all(
    postIds.map((postId) =>
      t.context.api.post('/post/like', { post_id: postId }, { token: fan.token }),
    ),
  );
  const raced = await Promise.all(
    postIds.map(async (postId, i) => {
      const edit = t.context.api.post(
        '/post/edit',
        { post_id: postId, title: `after ${i}`, text: 'new text' },
        { token: author.token },
      );
      const remove = t.context.api.post(
        '/post/delete',
        { post_id: postId },
        { token: author.token },
      );
      // Alternate who is sent first.
      const [edited, deleted] =
        i % 2 === 0
          ? await Promise.all([edit, remove])
          : (await Promise.all([remove, edit])).reverse();
      return { postId, i, edited, deleted };
    }),
  );
  for (const { postId, i, edited, deleted } of raced) {
    t.deepEqual(deleted?.body, { code: 'OK' });
    if (edited?.status === 200) {
      // Whole: both fields changed, never one of them.
      t.like(edited.body['data'], { post_id: postId, title: `after ${i}`, text: 'new text' });
    } else {
      t.deepEqual(edited?.body, NOT_FOUND);
    }
    const read = await t.context.api.get('/post/read', { post_id: postId });
    t.deepEqual(read.body, NOT_FOUND);
  }
  const likes = await Promise.all(
    postIds.map((postId) => t.context.api.get('/post/likes', { post_id: postId })),
  );
  t.true(likes.every((answer) => answer.body['code'] === 'USR_01'));
});

test('likes racing a delete: each like is OK or USR_01, and the post leaves no like behind', async (t) => {
  const author = await signUpAuthor(t.context.api);
  const fans = await Promise.all(Array.from({ length: 15 }, () => signUp(t.context.api)));
  const postId = await createPost(t.context.api, author.token);
  const other = await createPost(t.context.api, author.token, { title: 'other' });
  const [deleted, ...likes] = await Promise.all([
    t.context.api.post('/post/delete', { post_id: postId }, { token: author.token }),
    ...fans.flatMap((fan) => [
      t.context.api.post('/post/like', { post_id: postId }, { token: fan.token }),
      t.context.api.post('/post/like', { post_id: other }, { token: fan.token }),
    ]),
  ]);
  t.deepEqual(deleted.body, { code: 'OK' });
  for (const like of likes) {
    t.true(like.status === 200 || like.body['code'] === 'USR_01', `${like.status} ${like.text}`);
  }
  t.deepEqual((await t.context.api.get('/post/likes', { post_id: postId })).body, NOT_FOUND);
  // Likes of the other post all landed and are counted.
  t.is((await readPost(t, other)).likes, 15);
  // The fans' likes of the deleted post are gone: liking it again is USR_01, not a no-op.
  for (const fan of fans.slice(0, 3)) {
    const again = await t.context.api.post('/post/like', { post_id: postId }, { token: fan.token });
    t.deepEqual(again.body, NOT_FOUND);
  }
});
