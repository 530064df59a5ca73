import test from 'ava';
import { createPlaza, type Plaza } from '../createPlaza.js';
import { NOT_FOUND_MESSAGE } from '../errors.js';
import { aPost, rejectsWithPlazaError, signedUpUser, testOptions, untyped } from '@plaza/testkit';

// Every test likes a post of its own, so they can share the users and the database.
let plaza: Plaza;
let author: number;
let fans: number[];
test.before(async () => {
  plaza = await createPlaza(testOptions());
  author = (await signedUpUser(plaza)).id;
  fans = [];
  for (let i = 0; i < 4; i += 1) fans.push((await signedUpUser(plaza)).id);
});
test.after.always(async () => {
  await plaza.close();
});

const fan = (index: number): number => {
  const id = fans[index];
  if (id === undefined) throw new Error(`no fan ${index}`);
  return id;
};

async function newPost(): Promise<number> {
  return (await plaza.posts.create(author, aPost())).post_id;
}

const likesOf = async (postId: number): Promise<number> =>
  (await plaza.posts.read({ post_id: postId })).likes;
const likersOf = async (postId: number): Promise<number[]> =>
  (await plaza.posts.likers({ post_id: postId })).user_ids;

test('a like counts once, however often it is repeated', async (t) => {
  const postId = await newPost();
  await plaza.likes.like(fan(0), { post_id: postId });
  t.is(await likesOf(postId), 1);
  await plaza.likes.like(fan(0), { post_id: postId });
  t.is(await likesOf(postId), 1);
  t.deepEqual(await likersOf(postId), [fan(0)]);
});

test('unlike removes the like, and repeating it is fine', async (t) => {
  const postId = await newPost();
  await plaza.likes.like(fan(0), { post_id: postId });
  await plaza.likes.like(fan(1), { post_id: postId });
  await plaza.likes.unlike(fan(0), { post_id: postId });
  await plaza.likes.unlike(fan(0), { post_id: postId });
  t.is(await likesOf(postId), 1);
  t.deepEqual(await likersOf(postId), [fan(1)]);
  await plaza.likes.unlike(fan(2), { post_id: postId });
  t.is(await likesOf(postId), 1, 'unliking a post one never liked changes nothing');
});

test('liking or unliking an unknown post is USR_01', async (t) => {
  await rejectsWithPlazaError(t, plaza.likes.like(fan(0), { post_id: 987_654 }), {
    code: 'USR_01',
    message: NOT_FOUND_MESSAGE,
  });
  await rejectsWithPlazaError(t, plaza.likes.unlike(fan(0), { post_id: 987_654 }), {
    code: 'USR_01',
    message: NOT_FOUND_MESSAGE,
  });
  await rejectsWithPlazaError(t, plaza.posts.likers({ post_id: 987_654 }), { code: 'USR_01' });
});

test('a malformed or missing post_id is USR_02 or PAR_01', async (t) => {
  await rejectsWithPlazaError(t, plaza.likes.like(fan(0), untyped({ post_id: 'abc' })), {
    code: 'USR_02',
    field: 'post_id',
  });
  await rejectsWithPlazaError(t, plaza.likes.unlike(fan(0), untyped({})), {
    code: 'PAR_01',
    field: 'post_id',
  });
});

test('twenty concurrent identical likes leave exactly one', async (t) => {
  const postId = await newPost();
  const outcomes = await Promise.allSettled(
    Array.from({ length: 20 }, () => plaza.likes.like(fan(3), { post_id: postId })),
  );
  t.deepEqual(
    outcomes.map((outcome) => outcome.status),
    Array.from({ length: 20 }, () => 'fulfilled'),
  );
  t.is(await likesOf(postId), 1);
  t.deepEqual(await likersOf(postId), [fan(3)]);
});

test('concurrent likes by different users all count', async (t) => {
  const postId = await newPost();
  await Promise.all(fans.map((id) => plaza.likes.like(id, { post_id: postId })));
  t.is(await likesOf(postId), fans.length);
});

test('likers are listed in ascending user id order, not in the order they liked', async (t) => {
  const postId = await newPost();
  const order = [fan(3), fan(0), fan(2), fan(1)];
  for (const id of order) await plaza.likes.like(id, { post_id: postId });
  const ascending = [...order].sort((a, b) => a - b);
  t.notDeepEqual(order, ascending);
  t.deepEqual(await likersOf(postId), ascending);
});

test('a post nobody likes has no likers', async (t) => {
  t.deepEqual(await likersOf(await newPost()), []);
});

test('likes show in the list too', async (t) => {
  const postId = await newPost();
  await plaza.likes.like(fan(1), { post_id: postId });
  await plaza.likes.like(fan(2), { post_id: postId });
  const listed = (await plaza.posts.list({ author_id: author, limit: 100 })).posts.find(
    (post) => post.post_id === postId,
  );
  t.is(listed?.likes, 2);
});

test('a like by a user who no longer exists is refused as a bad token', async (t) => {
  const postId = await newPost();
  await rejectsWithPlazaError(t, plaza.likes.like(987_654, { post_id: postId }), {
    code: 'AUT_01',
    field: 'TOKEN',
  });
  t.is(await likesOf(postId), 0);
});
