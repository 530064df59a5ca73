/**
 * Comments under races, over HTTP: a comment on a post deleted at the same moment is USR_01
 * or goes with the post, never left behind; the post's `comments` count stays equal to the
 * comments it has while comments come and go at once.
 */
import anyTest, { type TestFn } from 'ava';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import type { Api, ApiResponse } from '../support/http.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

const NOT_FOUND = { code: 'USR_01', message: 'Object not found.' };

const commentIdOf = (answer: ApiResponse): number =>
  (answer.body['data'] as { comment_id: number }).comment_id;

/** Every comment id of a post, page by page. */
async function commentIdsOf(api: Api, postId: number): Promise<number[]> {
  const ids: number[] = [];
  let after: number | null = null;
  do {
    const response = await api.get(
      '/post/comments',
      after === null ? { post_id: postId, limit: 100 } : { post_id: postId, limit: 100, after },
    );
    if (response.status !== 200) throw new Error(`listing failed: ${response.text}`);
    const page = response.body['data'] as {
      comments: Array<{ comment_id: number }>;
      next: number | null;
    };
    ids.push(...page.comments.map((comment) => comment.comment_id));
    after = page.next;
  } while (after !== null);
  return ids;
}

async function commentCountOf(api: Api, postId: number): Promise<number> {
  const response = await api.get('/post/read', { post_id: postId });
  if (response.status !== 200) throw new Error(`read failed: ${response.text}`);
  return (response.body['data'] as { comments: number }).comments;
}

test('comments racing their post’s deletion: each is USR_01 or removed with the post', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const readers = await Promise.all(Array.from({ length: 4 }, () => signUp(api)));
  const posts = await Promise.all(Array.from({ length: 12 }, () => createPost(api, author.token)));
  // A few comments already there, which the deletion must take along too.
  for (const postId of posts) {
    await api.post('/post/comment', { post_id: postId, text: 'before' }, { token: author.token });
  }

  const comments: Array<Promise<ApiResponse>> = [];
  const deletions: Array<Promise<ApiResponse>> = [];
  for (const [index, postId] of posts.entries()) {
    for (let i = 0; i < 8; i += 1) {
      // The deletion goes out among the comments, at a different place for each post.
      if (i === index % 8) {
        deletions.push(api.post('/post/delete', { post_id: postId }, { token: author.token }));
      }
      const reader = readers[i % readers.length] as SignedUpUser;
      comments.push(
        api.post(
          '/post/comment',
          { post_id: postId, text: `racing ${i}` },
          { token: reader.token },
        ),
      );
    }
  }
  const [commented, deleted] = await Promise.all([Promise.all(comments), Promise.all(deletions)]);

  t.true(
    deleted.every((answer) => answer.status === 200),
    deleted.map((answer) => answer.text).join('\n'),
  );
  const landed = commented.filter((answer) => answer.status === 200);
  const refused = commented.filter((answer) => answer.status !== 200);
  for (const answer of refused) t.deepEqual(answer.body, NOT_FOUND);
  t.log(`${landed.length} comments landed before their post went, ${refused.length} refused`);

  for (const postId of posts) {
    t.deepEqual((await api.get('/post/comments', { post_id: postId })).body, NOT_FOUND);
  }
  // A comment that was answered OK went with its post: it cannot be found to delete.
  for (const answer of landed) {
    const again = await api.post(
      '/comment/delete',
      { comment_id: commentIdOf(answer) },
      { token: author.token },
    );
    t.deepEqual(again.body, NOT_FOUND);
  }
});

test('comment deletions racing their post’s deletion: OK or USR_01, the post goes', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const reader = await signUp(api);
  const posts = await Promise.all(Array.from({ length: 8 }, () => createPost(api, author.token)));
  const own = new Map<number, number[]>();
  for (const postId of posts) {
    const ids: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const answer = await api.post(
        '/post/comment',
        { post_id: postId, text: `to go ${i}` },
        { token: reader.token },
      );
      ids.push(commentIdOf(answer));
    }
    own.set(postId, ids);
  }
  const answers = await Promise.all(
    posts.flatMap((postId) => [
      ...(own.get(postId) ?? []).map((commentId) =>
        api.post('/comment/delete', { comment_id: commentId }, { token: reader.token }),
      ),
      api.post('/post/delete', { post_id: postId }, { token: author.token }),
    ]),
  );
  for (const answer of answers) {
    t.true(answer.status === 200 || answer.status === 404, answer.text);
    if (answer.status === 404) t.deepEqual(answer.body, NOT_FOUND);
  }
  for (const postId of posts) {
    t.deepEqual((await api.get('/post/read', { post_id: postId })).body, NOT_FOUND);
  }
});

test('the count follows comments added and removed at once, as many as it lists', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const readers = await Promise.all(Array.from({ length: 4 }, () => signUp(api)));
  const postId = await createPost(api, author.token);
  const early: number[] = [];
  for (let i = 0; i < 16; i += 1) {
    const reader = readers[i % readers.length] as SignedUpUser;
    const answer = await api.post(
      '/post/comment',
      { post_id: postId, text: `early ${i}` },
      { token: reader.token },
    );
    early.push(commentIdOf(answer));
  }
  t.is(await commentCountOf(api, postId), 16);

  const answers = await Promise.all([
    ...Array.from({ length: 24 }, (_, i) =>
      api.post(
        '/post/comment',
        { post_id: postId, text: `late ${i}` },
        { token: (readers[i % readers.length] as SignedUpUser).token },
      ),
    ),
    // Each early comment deleted twice at once: by its author and by the post's author.
    ...early.flatMap((commentId, i) => [
      api.post(
        '/comment/delete',
        { comment_id: commentId },
        { token: (readers[i % readers.length] as SignedUpUser).token },
      ),
      api.post('/comment/delete', { comment_id: commentId }, { token: author.token }),
    ]),
  ]);
  t.is(answers.filter((answer) => answer.status === 200).length, 24 + 16);
  t.is(answers.filter((answer) => answer.status === 404).length, 16);

  const listed = await commentIdsOf(api, postId);
  t.is(listed.length, 24);
  t.is(await commentCountOf(api, postId), 24);
  t.true(early.every((commentId) => !listed.includes(commentId)));
});
