import anyTest, { type TestFn } from 'ava';
import { PlazaApiError, type Post } from '@plaza/client-sdk';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { clientOf, signedUpClient } from './support/clients.js';

/** Profiles, posts, paging and likes through the SDK against a real server. */

const test = anyTest as TestFn<{ readonly target: InProcessTarget }>;

test.before(async (t) => {
  t.context = { target: await startInProcessTarget() };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

const collect = async (posts: AsyncIterable<Post>): Promise<Post[]> => {
  const all: Post[] = [];
  for await (const post of posts) all.push(post);
  return all;
};

test('users.get shows a public profile without the email; me() has it', async (t) => {
  const { client, session, input } = await signedUpClient(t, t.context.target.baseUrl, {
    first_name: 'Ada',
    bio: 'Engines',
  });
  const stranger = clientOf(t, t.context.target.baseUrl);
  const profile = await stranger.users.get(session.user_id);
  t.like(profile, {
    user_id: session.user_id,
    username: input.username,
    first_name: 'Ada',
    bio: 'Engines',
    city: null,
  });
  t.false('email' in profile);
  t.false('password' in profile);
  t.is((await client.users.me()).email, input.email);
});

test('a user or post that does not exist is USR_01 404', async (t) => {
  const client = clientOf(t, t.context.target.baseUrl);
  const post = await t.throwsAsync(client.posts.get(987_654), { instanceOf: PlazaApiError });
  t.is(post.code, 'USR_01');
  t.is(post.status, 404);
  t.is(post.message, 'Object not found.');
  const user = await t.throwsAsync(client.users.get(987_654), { instanceOf: PlazaApiError });
  t.is(user.code, 'USR_01');
  t.is(user.status, 404);
  const likers = await t.throwsAsync(client.posts.likers(987_654), { instanceOf: PlazaApiError });
  t.is(likers.code, 'USR_01');
});

test('create then get: the post as the server keeps it', async (t) => {
  const { client, session } = await signedUpClient(t, t.context.target.baseUrl);
  const created = await client.posts.create({
    title: 'Hello',
    text: 'First post',
    link: 'https://example.com/a',
  });
  t.true(Number.isSafeInteger(created.post_id));
  const post = await clientOf(t, t.context.target.baseUrl).posts.get(created.post_id);
  t.like(post, {
    post_id: created.post_id,
    author_id: session.user_id,
    title: 'Hello',
    text: 'First post',
    link: 'https://example.com/a',
    likes: 0,
  });
  t.false(Number.isNaN(Date.parse(post.posted)));
  t.false(Number.isNaN(Date.parse(post.edited)));
  const bare = await client.posts.create({ title: 'No link', text: '.' });
  t.is((await client.posts.get(bare.post_id)).link, null);
});

test('creating a post needs a token (AUT_01) and its parameters (PAR_01, USR_02)', async (t) => {
  const anonymous = clientOf(t, t.context.target.baseUrl);
  const unsigned = await t.throwsAsync(anonymous.posts.create({ title: 'x', text: 'y' }), {
    instanceOf: PlazaApiError,
  });
  t.is(unsigned.code, 'AUT_01');
  t.is(unsigned.status, 401);

  const { client } = await signedUpClient(t, t.context.target.baseUrl);
  const missing = await t.throwsAsync(client.posts.create({ title: 'x', text: '' }), {
    instanceOf: PlazaApiError,
  });
  t.is(missing.code, 'PAR_01');
  t.is(missing.field, 'text');
  const badLink = await t.throwsAsync(
    client.posts.create({ title: 'x', text: 'y', link: 'javascript:alert(1)' }),
    { instanceOf: PlazaApiError },
  );
  t.is(badLink.code, 'USR_02');
  t.is(badLink.field, 'link');
});

test('25 posts: pages of 10 with a cursor, and iterate() yields all, newest first, once', async (t) => {
  const { target } = t.context;
  const { client, session } = await signedUpClient(t, target.baseUrl);
  const other = await signedUpClient(t, target.baseUrl);
  const ids: number[] = [];
  for (let i = 0; i < 25; i += 1) {
    ids.push((await client.posts.create({ title: `Post ${i}`, text: `Text ${i}` })).post_id);
    // Someone else's posts in between, which the author filter must leave out.
    if (i % 5 === 0) await other.client.posts.create({ title: 'Other', text: 'Other' });
  }
  const newestFirst = [...ids].reverse();
  const reader = clientOf(t, target.baseUrl);

  const first = await reader.posts.list({ author_id: session.user_id, limit: 10 });
  t.deepEqual(
    first.posts.map((post) => post.post_id),
    newestFirst.slice(0, 10),
  );
  t.not(first.next, null);
  t.true(first.posts.every((post) => post.author_id === session.user_id));
  const second = await reader.posts.list({
    author_id: session.user_id,
    limit: 10,
    before: first.next!,
  });
  t.deepEqual(
    second.posts.map((post) => post.post_id),
    newestFirst.slice(10, 20),
  );
  const third = await reader.posts.list({
    author_id: session.user_id,
    limit: 10,
    before: second.next!,
  });
  t.deepEqual(
    third.posts.map((post) => post.post_id),
    newestFirst.slice(20),
  );
  t.is(third.next, null);

  const iterated = await collect(reader.posts.iterate({ author_id: session.user_id, limit: 10 }));
  t.deepEqual(
    iterated.map((post) => post.post_id),
    newestFirst,
  );
  t.like(iterated[0], { title: 'Post 24', text: 'Text 24', author_id: session.user_id });

  const everyone = await collect(reader.posts.iterate({ limit: 7 }));
  const everyId = everyone.map((post) => post.post_id);
  t.is(new Set(everyId).size, everyId.length, 'no post twice');
  t.deepEqual(
    everyId,
    [...everyId].sort((a, b) => b - a),
    'newest first',
  );
  t.true(ids.every((id) => everyId.includes(id)));
  t.is(everyone.filter((post) => post.author_id === other.session.user_id).length, 5);
});

test('list without a query gives the newest posts; a bad limit is USR_02', async (t) => {
  const { client } = await signedUpClient(t, t.context.target.baseUrl);
  const { post_id } = await client.posts.create({ title: 'Latest', text: '.' });
  const page = await client.posts.list();
  t.true(page.posts.some((post) => post.post_id === post_id));
  t.true(page.posts.length <= 20);
  const error = await t.throwsAsync(client.posts.list({ limit: 101 }), {
    instanceOf: PlazaApiError,
  });
  t.is(error.code, 'USR_02');
  t.is(error.field, 'limit');
});

test('like twice is one like; likers lists who; unlike twice is a no-op', async (t) => {
  const { target } = t.context;
  const author = await signedUpClient(t, target.baseUrl);
  const ann = await signedUpClient(t, target.baseUrl);
  const bob = await signedUpClient(t, target.baseUrl);
  const { post_id } = await author.client.posts.create({ title: 'Like me', text: '.' });
  const reader = clientOf(t, target.baseUrl);

  t.deepEqual(await reader.posts.likers(post_id), []);
  await ann.client.likes.like(post_id);
  await ann.client.likes.like(post_id);
  t.deepEqual(await reader.posts.likers(post_id), [ann.session.user_id]);
  t.is((await reader.posts.get(post_id)).likes, 1);

  await bob.client.likes.like(post_id);
  t.deepEqual(
    [...(await reader.posts.likers(post_id))].sort((a, b) => a - b),
    [ann.session.user_id, bob.session.user_id].sort((a, b) => a - b),
  );
  t.is((await reader.posts.get(post_id)).likes, 2);

  await ann.client.likes.unlike(post_id);
  await ann.client.likes.unlike(post_id);
  t.deepEqual(await reader.posts.likers(post_id), [bob.session.user_id]);
  t.is((await reader.posts.get(post_id)).likes, 1);
});

test('liking needs a token and an existing post', async (t) => {
  const { target } = t.context;
  const author = await signedUpClient(t, target.baseUrl);
  const { post_id } = await author.client.posts.create({ title: 't', text: '.' });
  const anonymous = clientOf(t, target.baseUrl);
  const unsigned = await t.throwsAsync(anonymous.likes.like(post_id), {
    instanceOf: PlazaApiError,
  });
  t.is(unsigned.code, 'AUT_01');
  const missing = await t.throwsAsync(author.client.likes.like(987_654), {
    instanceOf: PlazaApiError,
  });
  t.is(missing.code, 'USR_01');
  t.is(missing.status, 404);
});
