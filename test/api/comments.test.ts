import anyTest, { type TestFn } from 'ava';
import { createComment, createPost, signUp, type SignedUpUser } from '../support/builders.js';
import type { Api } from '../support/http.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

interface CommentData {
  comment_id: number;
  post_id: number;
  author: {
    user_id: number;
    username: string;
    first_name: string | null;
    last_name: string | null;
    avatar: string | null;
  };
  text: string;
  created: string;
}

interface CommentPageData {
  comments: CommentData[];
  next: number | null;
}

const MISSING_POST = 987_654_321;

async function commentsOf(
  api: Api,
  postId: number,
  params: Record<string, number> = {},
): Promise<CommentPageData> {
  const response = await api.get('/post/comments', { post_id: postId, ...params });
  if (response.status !== 200) throw new Error(`listing failed: ${response.text}`);
  return response.body['data'] as CommentPageData;
}

/** Every comment of a post, page by page (100 at a time). */
async function allCommentsOf(api: Api, postId: number): Promise<CommentData[]> {
  const all: CommentData[] = [];
  let after: number | null = null;
  do {
    const page: CommentPageData = await commentsOf(
      api,
      postId,
      after === null ? { limit: 100 } : { limit: 100, after },
    );
    all.push(...page.comments);
    after = page.next;
  } while (after !== null);
  return all;
}

test('a comment is created, then listed with its author, text and time', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  // Every field of the author summary given, so that a server enriching profiles (REAL_SERVER
  // with PLAZA_PROVIDERS=fake fills empty ones) answers the same.
  const reader = await signUp(api, {
    first_name: 'Ada',
    last_name: 'Lovelace',
    avatar: 'https://example.com/ada.png',
  });
  const postId = await createPost(api, author.token);
  const before = Date.now();

  const created = await api.post(
    '/post/comment',
    { post_id: postId, text: 'Two lines\nof comment 👩‍💻' },
    { token: reader.token },
  );
  t.is(created.status, 200);
  const data = created.body['data'] as { comment_id: number };
  t.deepEqual(Object.keys(data), ['comment_id']);
  t.true(Number.isInteger(data.comment_id) && data.comment_id > 0);

  const page = await commentsOf(api, postId);
  t.is(page.next, null);
  t.is(page.comments.length, 1);
  const [listed] = page.comments;
  t.deepEqual(listed, {
    comment_id: data.comment_id,
    post_id: postId,
    author: {
      user_id: reader.userId,
      username: reader.username,
      first_name: 'Ada',
      last_name: 'Lovelace',
      avatar: 'https://example.com/ada.png',
    },
    text: 'Two lines\nof comment 👩‍💻',
    created: listed?.created ?? '',
  });
  const read = await api.get('/post/read', { post_id: postId });
  t.is((read.body['data'] as { comments: number }).comments, 1, 'the post counts it');
  const created_at = Date.parse(listed?.created ?? '');
  t.true(created_at >= before - 1000 && created_at <= Date.now() + 1000, listed?.created);
});

test('parameters come as a form, a JSON body, or (listing) a query string', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const postId = await createPost(api, author.token);
  const asJson = await api.post(
    '/post/comment',
    { post_id: String(postId), text: 'as JSON' },
    { token: author.token, as: 'json', scheme: 'Bearer' },
  );
  t.is(asJson.status, 200);
  await createComment(api, author.token, postId, 'as a form');
  t.deepEqual(
    (await commentsOf(api, postId)).comments.map((c) => c.text),
    ['as JSON', 'as a form'],
  );
});

test('text is 1 to 5,000 characters, counted as code points, with the stored-text rules', async (t) => {
  const { api } = t.context;
  const user = await signUp(api);
  const postId = await createPost(api, user.token);
  const send = (text: string) =>
    api.post('/post/comment', { post_id: postId, text }, { token: user.token, as: 'json' });

  // 5,000 emoji are 10,000 UTF-16 units: the limit counts what a person counts.
  const longest = '😀'.repeat(5000);
  t.is((await send(longest)).status, 200);
  const tooLong = await send('x'.repeat(5001));
  t.is(tooLong.status, 400);
  t.deepEqual(tooLong.body, {
    code: 'USR_02',
    message: 'text must be at most 5000 characters.',
    field: 'text',
  });
  t.like((await send('😀'.repeat(5001))).body, { code: 'USR_02', field: 'text' });

  t.deepEqual((await send('')).body, {
    code: 'PAR_01',
    message: 'Missing HTTP param.',
    field: 'text',
  });
  t.like((await send('bell \u0007')).body, { code: 'USR_02', field: 'text' });
  t.like((await send('right-to-left \u202Eoverride')).body, { code: 'USR_02', field: 'text' });
  t.is((await send('tab\there\r\nand a new line')).status, 200);

  const stored = await allCommentsOf(api, postId);
  t.deepEqual(
    stored.map((c) => c.text),
    [longest, 'tab\there\r\nand a new line'],
    'refused comments left nothing',
  );
});

test('a missing post is USR_01 for commenting and listing; bad ids are USR_02 / PAR_01', async (t) => {
  const { api } = t.context;
  const user = await signUp(api);
  const create = await api.post(
    '/post/comment',
    { post_id: MISSING_POST, text: 'hello?' },
    { token: user.token },
  );
  t.is(create.status, 404);
  t.deepEqual(create.body, { code: 'USR_01', message: 'Object not found.' });
  const list = await api.get('/post/comments', { post_id: MISSING_POST });
  t.is(list.status, 404);
  t.deepEqual(list.body, { code: 'USR_01', message: 'Object not found.' });

  t.like((await api.get('/post/comments')).body, { code: 'PAR_01', field: 'post_id' });
  t.like((await api.get('/post/comments', { post_id: 'abc' })).body, {
    code: 'USR_02',
    field: 'post_id',
  });
  t.like((await api.get('/post/comments', { post_id: 2 ** 31 })).body, {
    code: 'USR_02',
    field: 'post_id',
  });
  t.like((await api.post('/post/comment', { text: 'x' }, { token: user.token })).body, {
    code: 'PAR_01',
    field: 'post_id',
  });
  t.like((await api.post('/comment/delete', {}, { token: user.token })).body, {
    code: 'PAR_01',
    field: 'comment_id',
  });
  t.like((await api.post('/comment/delete', { comment_id: -3 }, { token: user.token })).body, {
    code: 'USR_02',
    field: 'comment_id',
  });
});

test('commenting and deleting need a token; reading does not', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const postId = await createPost(api, author.token);
  const commentId = await createComment(api, author.token, postId);
  for (const answer of [
    await api.post('/post/comment', { post_id: postId, text: 'anonymous' }),
    await api.post('/comment/delete', { comment_id: commentId }),
    await api.post('/comment/delete', { comment_id: commentId }, { token: 'not-a-token' }),
  ]) {
    t.is(answer.status, 401);
    t.like(answer.body, { code: 'AUT_01' });
  }
  t.is((await commentsOf(api, postId)).comments.length, 1);
});

test('comments page oldest first with `after`, and only the post’s own', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const reader = await signUp(api);
  const postId = await createPost(api, author.token);
  const otherPostId = await createPost(api, author.token);
  const mine: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    mine.push(
      await createComment(api, (i % 2 === 0 ? reader : author).token, postId, `comment ${i}`),
    );
    await createComment(api, reader.token, otherPostId, `noise ${i}`);
  }

  const seen: CommentData[] = [];
  const cursors: Array<number | null> = [];
  let after: number | null = null;
  for (let page = 0; page < 10; page += 1) {
    const data: CommentPageData = await commentsOf(
      api,
      postId,
      after === null ? { limit: 3 } : { limit: 3, after },
    );
    t.true(data.comments.length <= 3);
    seen.push(...data.comments);
    after = data.next;
    cursors.push(after);
    if (after === null) break;
  }
  t.deepEqual(
    seen.map((c) => c.comment_id),
    mine,
  );
  t.deepEqual(
    seen.map((c) => c.text),
    mine.map((_, i) => `comment ${i}`),
  );
  t.deepEqual(cursors, [mine[2], mine[5], null]);
  t.true(seen.every((c) => c.post_id === postId));
  t.deepEqual(
    seen.map((c) => c.author.user_id),
    mine.map((_, i) => (i % 2 === 0 ? reader.userId : author.userId)),
  );

  t.deepEqual((await commentsOf(api, postId, { limit: 20 })).next, null, 'the default fits all 7');
  t.deepEqual(await commentsOf(api, postId, { after: mine[6] ?? 0 }), { comments: [], next: null });
});

test('a post without comments lists none; limits 0 and 101 are refused, 100 is fine', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const postId = await createPost(api, author.token);
  t.deepEqual(await commentsOf(api, postId), { comments: [], next: null });
  for (const limit of [0, 101, -1]) {
    const response = await api.get('/post/comments', { post_id: postId, limit });
    t.like(response.body, { code: 'USR_02', field: 'limit' });
  }
  t.is((await api.get('/post/comments', { post_id: postId, limit: 100 })).status, 200);
});

test('a comment may be deleted by its author or by the post’s author, by no one else', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const commenter = await signUp(api);
  const stranger = await signUp(api);
  const postId = await createPost(api, author.token);
  const first = await createComment(api, commenter.token, postId, 'first');
  const second = await createComment(api, commenter.token, postId, 'second');
  const third = await createComment(api, commenter.token, postId, 'third');

  const refused = await api.post(
    '/comment/delete',
    { comment_id: first },
    { token: stranger.token },
  );
  t.is(refused.status, 400);
  t.deepEqual(refused.body, {
    code: 'USR_02',
    message:
      "comment_id is a comment of another user; only its author or the post's author may delete it.",
    field: 'comment_id',
  });

  const byCommenter = await api.post(
    '/comment/delete',
    { comment_id: first },
    { token: commenter.token },
  );
  t.deepEqual(byCommenter.body, { code: 'OK' });
  const byPostAuthor = await api.post(
    '/comment/delete',
    { comment_id: second },
    { token: author.token, as: 'json' },
  );
  t.deepEqual(byPostAuthor.body, { code: 'OK' });

  const again = await api.post(
    '/comment/delete',
    { comment_id: first },
    { token: commenter.token },
  );
  t.is(again.status, 404);
  t.deepEqual(again.body, { code: 'USR_01', message: 'Object not found.' });
  const never = await api.post(
    '/comment/delete',
    { comment_id: 2 ** 31 - 1 },
    { token: commenter.token },
  );
  t.is(never.status, 404);

  t.deepEqual(
    (await commentsOf(api, postId)).comments.map((c) => c.comment_id),
    [third],
  );
  const read = await api.get('/post/read', { post_id: postId });
  t.is((read.body['data'] as { comments: number }).comments, 1, 'the post counts what is left');
});

test('50 concurrent comments on one post are all kept, each once, in id order', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const readers = await Promise.all(Array.from({ length: 5 }, () => signUp(api)));
  const postId = await createPost(api, author.token);
  const ids = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      createComment(
        api,
        (readers[i % readers.length] as SignedUpUser).token,
        postId,
        `concurrent ${i}`,
      ),
    ),
  );
  t.is(new Set(ids).size, 50);
  const listed = await allCommentsOf(api, postId);
  t.deepEqual(
    listed.map((c) => c.comment_id),
    [...ids].sort((a, b) => a - b),
  );
  t.deepEqual(listed.map((c) => c.text).sort(), ids.map((_, i) => `concurrent ${i}`).sort());
});

test('concurrent deletions of one comment: one succeeds, the others are USR_01', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const commenter = await signUp(api);
  const postId = await createPost(api, author.token);
  const target = await createComment(api, commenter.token, postId, 'to delete');
  const kept = await createComment(api, commenter.token, postId, 'to keep');
  const answers = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      api.post(
        '/comment/delete',
        { comment_id: target },
        { token: (i % 2 === 0 ? author : commenter).token },
      ),
    ),
  );
  t.deepEqual(answers.map((a) => a.status).sort(), [200, ...Array<number>(9).fill(404)]);
  t.deepEqual(
    (await commentsOf(api, postId)).comments.map((c) => c.comment_id),
    [kept],
  );
});
