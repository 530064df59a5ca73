import test from 'ava';
import type { Knex } from 'knex';
import {
  aPost,
  databaseUrlIn,
  dialectOf,
  openDatabase,
  rejectsWithPlazaError,
  signedUpUser,
  temporaryDirectory,
  testOptions,
  untyped,
} from '@plaza/testkit';
import { createPlaza, type Plaza } from '../createPlaza.js';
import { NOT_FOUND_MESSAGE, PlazaError } from '../errors.js';

/**
 * The core's comments on a database the test also reads directly (a SQLite file or a
 * PostgreSQL schema), so that `posts.comments_count` can be checked against the rows.
 */

let plaza: Plaza;
let db: Knex;
let author: number;
let readers: number[];
const cleanups: Array<() => unknown> = [];
test.before(async () => {
  const dir = await temporaryDirectory({ teardown: (fn) => cleanups.push(fn) });
  const databaseUrl = databaseUrlIn(dir);
  plaza = await createPlaza(testOptions({ databaseUrl }));
  db = openDatabase(databaseUrl, { poolSize: 4 });
  author = (await signedUpUser(plaza)).id;
  readers = [];
  for (let i = 0; i < 4; i += 1) readers.push((await signedUpUser(plaza)).id);
});
test.after.always(async () => {
  await db.destroy();
  await plaza.close();
  for (const cleanup of cleanups) await cleanup();
});

const reader = (index: number): number => readers[index % readers.length] as number;

const newPost = async (): Promise<number> => (await plaza.posts.create(author, aPost())).post_id;

/** The kept count and the rows it counts. */
async function counts(postId: number): Promise<{ kept: number; rows: number }> {
  const post = (await db('posts').select('comments_count').where('id', postId).first()) as
    { comments_count: number | string } | undefined;
  const [rows] = (await db('comments').count({ n: '*' }).where('post_id', postId)) as Array<{
    n: number | string;
  }>;
  return { kept: Number(post?.comments_count ?? -1), rows: Number(rows?.n ?? -1) };
}

test('create counts the comment with its post; delete takes it back', async (t) => {
  const postId = await newPost();
  const first = await plaza.comments.create(reader(0), { post_id: postId, text: 'one' });
  await plaza.comments.create(reader(1), untyped({ post_id: String(postId), text: 'two' }));
  t.deepEqual(await counts(postId), { kept: 2, rows: 2 });
  await plaza.comments.delete(reader(0), first);
  t.deepEqual(await counts(postId), { kept: 1, rows: 1 });
  await rejectsWithPlazaError(t, plaza.comments.delete(reader(0), first), {
    code: 'USR_01',
    message: NOT_FOUND_MESSAGE,
  });
  t.deepEqual(await counts(postId), { kept: 1, rows: 1 }, 'a second delete changes nothing');
});

test('a refused comment or deletion changes no count', async (t) => {
  const postId = await newPost();
  const { comment_id: commentId } = await plaza.comments.create(reader(0), {
    post_id: postId,
    text: 'mine',
  });
  await rejectsWithPlazaError(
    t,
    plaza.comments.create(reader(0), { post_id: postId, text: 'x'.repeat(5001) }),
    { code: 'USR_02', field: 'text' },
  );
  await rejectsWithPlazaError(t, plaza.comments.delete(reader(1), { comment_id: commentId }), {
    code: 'USR_02',
    field: 'comment_id',
  });
  await rejectsWithPlazaError(
    t,
    plaza.comments.create(reader(0), { post_id: 987_654, text: 'nowhere' }),
    { code: 'USR_01' },
  );
  t.deepEqual(await counts(postId), { kept: 1, rows: 1 });
});

test('a comment by a user who no longer exists is AUT_01 and leaves nothing', async (t) => {
  const postId = await newPost();
  // A valid token can outlive its user (an account deleted since): no such user row.
  const ghost = 987_654;
  await rejectsWithPlazaError(t, plaza.comments.create(ghost, { post_id: postId, text: 'boo' }), {
    code: 'AUT_01',
  });
  t.deepEqual(await counts(postId), { kept: 0, rows: 0 });
});

test('the list shows each comment’s author summary, oldest first', async (t) => {
  const postId = await newPost();
  await plaza.comments.create(reader(1), { post_id: postId, text: 'a' });
  await plaza.comments.create(reader(0), { post_id: postId, text: 'b' });
  const page = await plaza.comments.list({ post_id: postId, limit: 1 });
  t.is(page.comments.length, 1);
  t.like(page.comments[0], { text: 'a', author: { user_id: reader(1) } });
  t.deepEqual(Object.keys(page.comments[0]?.author ?? {}).sort(), [
    'avatar',
    'first_name',
    'last_name',
    'user_id',
    'username',
  ]);
  const rest = await plaza.comments.list({ post_id: postId, after: page.next });
  t.deepEqual(
    rest.comments.map((c) => c.text),
    ['b'],
  );
  t.is(rest.next, null);
});

test('concurrent comments and deletions on one post keep its count equal to its rows', async (t) => {
  const postId = await newPost();
  const early = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      plaza.comments.create(reader(i), { post_id: postId, text: `early ${i}` }),
    ),
  );
  const outcomes = await Promise.allSettled([
    ...Array.from({ length: 40 }, (_, i) =>
      plaza.comments.create(reader(i), { post_id: postId, text: `late ${i}` }),
    ),
    // Each early comment deleted twice at once, by its author and by the post's author.
    ...early.flatMap((created, i) => [
      plaza.comments.delete(reader(i), created),
      plaza.comments.delete(author, created),
    ]),
  ]);
  const failures = outcomes.flatMap((outcome) =>
    outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
  );
  t.is(failures.length, 20, 'one of each pair of deletions finds the comment gone');
  t.true(failures.every((error) => error instanceof PlazaError && error.code === 'USR_01'));
  t.deepEqual(await counts(postId), { kept: 40, rows: 40 });
});

/**
 * A post deleted as POST /post/delete does: its comments, likes and the post itself in one
 * transaction, the post row locked first on PostgreSQL (SQLite's writers take turns anyway; a
 * read first there would turn the wait for the write lock into SQLITE_BUSY).
 */
async function deletePostDirectly(postId: number): Promise<void> {
  await db.transaction(async (trx) => {
    if (dialectOf(db) === 'postgres') {
      await trx('posts').select('id').where('id', postId).forUpdate();
    }
    await trx('comments').where('post_id', postId).delete();
    await trx('likes').where('post_id', postId).delete();
    await trx('posts').where('id', postId).delete();
  });
}

test('comments racing their post’s deletion: each is USR_01 or removed with it, none left', async (t) => {
  const posts = await Promise.all(Array.from({ length: 10 }, () => newPost()));
  const creations: Array<Promise<unknown>> = [];
  const deletions: Array<Promise<void>> = [];
  // Comments spread over a few milliseconds around each deletion, some before, some after.
  const after = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  for (const [index, postId] of posts.entries()) {
    for (let i = 0; i < 10; i += 1) {
      creations.push(
        after(i).then(() =>
          plaza.comments.create(reader(i), { post_id: postId, text: `racing ${i}` }),
        ),
      );
    }
    // Post 0 goes at once, post 9 after its last comment was sent: the rest in between.
    deletions.push(after(index).then(() => deletePostDirectly(postId)));
  }
  const created = await Promise.allSettled(creations);
  await t.notThrowsAsync(Promise.all(deletions), 'every deletion commits');
  const refused = created.flatMap((outcome) =>
    outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
  );
  t.true(
    refused.every((error) => error instanceof PlazaError && error.code === 'USR_01'),
    String(refused.find((error) => !(error instanceof PlazaError && error.code === 'USR_01'))),
  );
  t.log(
    `${created.length - refused.length} comments landed before their post went, ${refused.length} refused`,
  );
  const [left] = await db('comments')
    .whereIn('post_id', posts)
    .count<Array<{ n: number | string }>>({ n: '*' });
  t.is(Number(left?.n), 0, 'no comment outlives its post');
  const [orphans] = await db('comments')
    .leftJoin('posts', 'posts.id', 'comments.post_id')
    .whereNull('posts.id')
    .count<Array<{ n: number | string }>>({ n: '*' });
  t.is(Number(orphans?.n), 0);
  for (const postId of posts) {
    await rejectsWithPlazaError(t, plaza.comments.list({ post_id: postId }), { code: 'USR_01' });
  }
});
