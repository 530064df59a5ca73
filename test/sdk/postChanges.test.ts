import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import type { Knex } from 'knex';
import { PlazaApiError, type Post } from '@plaza/client-sdk';
import { databaseUrlIn, openDatabase } from '@plaza/testkit';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { clientOf, signedUpClient } from './support/clients.js';
import { nextEvent, withoutId } from './support/liveEvents.js';

/** posts.edit and posts.delete, the post's author and counts, and the feed, over a real server. */

interface Context {
  readonly target: InProcessTarget;
  readonly db: Knex;
  readonly dir: string;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'plaza-sdk-posts-'));
  const url = databaseUrlIn(dir);
  t.context = {
    target: await startInProcessTarget({ databaseUrl: url }),
    db: openDatabase(url),
    dir,
  };
});

test.after.always(async (t) => {
  await t.context.db.destroy();
  await t.context.target.close();
  await rm(t.context.dir, { recursive: true, force: true });
});

const collect = async (posts: AsyncIterable<Post>): Promise<Post[]> => {
  const all: Post[] = [];
  for await (const post of posts) all.push(post);
  return all;
};

test('a post shows its author and comment count; liked_by_me only to a signed-in client', async (t) => {
  const { baseUrl } = t.context.target;
  const author = await signedUpClient(t, baseUrl, { first_name: 'Grace', last_name: 'Hopper' });
  const fan = await signedUpClient(t, baseUrl);
  const { post_id } = await author.client.posts.create({ title: 'Bugs', text: 'A moth' });
  await fan.client.likes.like(post_id);
  const seenByFan = await fan.client.posts.get(post_id);
  t.like(seenByFan, {
    post_id,
    likes: 1,
    comments: 0,
    liked_by_me: true,
    author: {
      user_id: author.session.user_id,
      username: author.input.username,
      first_name: 'Grace',
      last_name: 'Hopper',
      avatar: null,
    },
  });
  const anonymous = await clientOf(t, baseUrl).posts.get(post_id);
  t.false('liked_by_me' in anonymous);
  const [listed] = (await fan.client.posts.list({ author_id: author.session.user_id })).posts;
  t.deepEqual(listed, seenByFan);
});

test('posts.edit changes what is given, null removes the link; posts.delete removes the post', async (t) => {
  const { baseUrl } = t.context.target;
  const { client } = await signedUpClient(t, baseUrl);
  const { post_id } = await client.posts.create({
    title: 'Draft',
    text: 'Body',
    link: 'https://plaza.example/x',
  });
  const edited = await client.posts.edit(post_id, { title: 'Final' });
  t.like(edited, { post_id, title: 'Final', text: 'Body', link: 'https://plaza.example/x' });
  const unlinked = await client.posts.edit(post_id, { text: 'New body', link: null });
  t.like(unlinked, { title: 'Final', text: 'New body', link: null });
  t.deepEqual(await client.posts.get(post_id), unlinked);

  const empty = await t.throwsAsync(client.posts.edit(post_id, {}), {
    instanceOf: PlazaApiError,
  });
  t.like(empty, { code: 'PAR_01', field: 'title' });

  await client.posts.delete(post_id);
  const gone = await t.throwsAsync(client.posts.get(post_id), { instanceOf: PlazaApiError });
  t.like(gone, { code: 'USR_01', status: 404 });
  const again = await t.throwsAsync(client.posts.delete(post_id), { instanceOf: PlazaApiError });
  t.is(again.code, 'USR_01');
});

test("someone else's post cannot be edited or deleted: USR_02 on post_id", async (t) => {
  const { baseUrl } = t.context.target;
  const author = await signedUpClient(t, baseUrl);
  const other = await signedUpClient(t, baseUrl);
  const { post_id } = await author.client.posts.create({ title: 'Mine', text: 'x' });
  for (const attempt of [
    other.client.posts.edit(post_id, { title: 'Theirs' }),
    other.client.posts.delete(post_id),
  ]) {
    const error = await t.throwsAsync(attempt, { instanceOf: PlazaApiError });
    t.like(error, { code: 'USR_02', field: 'post_id', status: 400 });
  }
  t.is((await author.client.posts.get(post_id)).title, 'Mine');
});

test('feed.list and feed.iterate: the posts of who you follow and yours, newest first', async (t) => {
  const { baseUrl } = t.context.target;
  const reader = await signedUpClient(t, baseUrl);
  const followed = await signedUpClient(t, baseUrl);
  const stranger = await signedUpClient(t, baseUrl);
  await t.context.db('follows').insert({
    follower_id: reader.session.user_id,
    followee_id: followed.session.user_id,
    created_at: new Date().toISOString(),
  });
  const expected: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    expected.push((await followed.client.posts.create({ title: `f${i}`, text: 'x' })).post_id);
    await stranger.client.posts.create({ title: `s${i}`, text: 'x' });
    expected.push((await reader.client.posts.create({ title: `r${i}`, text: 'x' })).post_id);
  }
  const first = await reader.client.feed.list({ limit: 4 });
  t.deepEqual(
    first.posts.map((post) => post.post_id),
    [...expected].reverse().slice(0, 4),
  );
  t.is(first.next, expected.at(-4) ?? null);
  const all = await collect(reader.client.feed.iterate({ limit: 3 }));
  t.deepEqual(
    all.map((post) => post.post_id),
    [...expected].reverse(),
  );
  t.true(all.every((post) => post.liked_by_me === false));
  const signedOut = await t.throwsAsync(clientOf(t, baseUrl).feed.list(), {
    instanceOf: PlazaApiError,
  });
  t.is(signedOut.code, 'AUT_01');
});

test('post.edited and post.deleted reach a client that likes the post', async (t) => {
  const { baseUrl } = t.context.target;
  const author = await signedUpClient(t, baseUrl);
  const fan = await signedUpClient(t, baseUrl);
  const { post_id } = await author.client.posts.create({ title: 'Live', text: 'x' });
  await fan.client.likes.like(post_id);
  await fan.client.events.connect();
  const edited = nextEvent(fan.client.events, 'post.edited');
  const view = await author.client.posts.edit(post_id, { title: 'Live, edited' });
  t.deepEqual(withoutId(await edited), {
    post_id,
    author_id: author.session.user_id,
    edited: view.edited,
  });
  const deleted = nextEvent(fan.client.events, 'post.deleted');
  await author.client.posts.delete(post_id);
  t.deepEqual(withoutId(await deleted), { post_id, author_id: author.session.user_id });
});
