/**
 * GET /feed: the posts of the people you follow and your own, newest first, paged like
 * /post/list. Follows are rows here (inserted beside the server) until their routes land.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import type { Knex } from 'knex';
import { databaseUrlIn, openDatabase } from '@plaza/testkit';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { Api } from '../support/http.js';

interface Context {
  readonly target: InProcessTarget;
  readonly api: Api;
  readonly db: Knex;
  readonly dir: string;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'plaza-feed-'));
  const url = databaseUrlIn(dir);
  const target = await startInProcessTarget({ databaseUrl: url });
  t.context = { target, api: new Api(target.baseUrl), db: openDatabase(url), dir };
});

test.after.always(async (t) => {
  await t.context.db.destroy();
  await t.context.target.close();
  await rm(t.context.dir, { recursive: true, force: true });
});

async function follow(t: { context: Context }, follower: SignedUpUser, followee: SignedUpUser) {
  await t.context.db('follows').insert({
    follower_id: follower.userId,
    followee_id: followee.userId,
    created_at: new Date().toISOString(),
  });
}

interface FeedPage {
  readonly posts: Array<{ post_id: number; author_id: number; liked_by_me?: boolean }>;
  readonly next: number | null;
}

async function feedOf(
  t: { context: Context },
  reader: SignedUpUser,
  params: Record<string, number> = {},
): Promise<FeedPage> {
  const response = await t.context.api.get('/feed', params, { token: reader.token });
  if (response.status !== 200) throw new Error(`feed: ${response.status} ${response.text}`);
  return response.body['data'] as FeedPage;
}

test('the feed has the posts of the people you follow and yours, newest first, and no one else’s', async (t) => {
  const { api } = t.context;
  const [reader, ada, bob, stranger] = await Promise.all(
    Array.from({ length: 4 }, () => signUp(api)),
  );
  if (!reader || !ada || !bob || !stranger) throw new Error('sign-ups failed');
  await follow(t, reader, ada);
  await follow(t, reader, bob);
  // Someone following the reader does not put the reader's feed in order for them.
  await follow(t, stranger, reader);
  const expected: number[] = [];
  for (const [i, author] of [ada, stranger, bob, reader, ada, stranger].entries()) {
    const postId = await createPost(api, author.token, { title: `#${i}` });
    if (author !== stranger) expected.push(postId);
  }
  const page = await feedOf(t, reader);
  t.deepEqual(
    page.posts.map((post) => post.post_id),
    [...expected].reverse(),
  );
  t.is(page.next, null);
  t.true(page.posts.every((post) => post.liked_by_me === false));
  // The stranger's feed: their own posts and the reader's (whom they follow).
  const theirs = await feedOf(t, stranger);
  t.true(theirs.posts.every((post) => [stranger.userId, reader.userId].includes(post.author_id)));
  t.is(theirs.posts.length, 3);
});

test('paging the feed with before visits each post once; the last full page has next null', async (t) => {
  const { api } = t.context;
  const [reader, ada] = await Promise.all([signUp(api), signUp(api)]);
  await follow(t, reader, ada);
  const ids: number[] = [];
  for (let i = 0; i < 12; i += 1) {
    ids.push(await createPost(api, (i % 2 === 0 ? ada : reader).token, { title: `#${i}` }));
  }
  const seen: number[] = [];
  const sizes: number[] = [];
  let before: number | null = null;
  do {
    const page: FeedPage = await feedOf(t, reader, {
      limit: 4,
      ...(before === null ? {} : { before }),
    });
    seen.push(...page.posts.map((post) => post.post_id));
    sizes.push(page.posts.length);
    before = page.next;
  } while (before !== null && sizes.length < 10);
  t.deepEqual(sizes, [4, 4, 4]);
  t.deepEqual(seen, [...ids].reverse());
});

test('the feed says which posts you like, and needs a valid token', async (t) => {
  const { api } = t.context;
  const [reader, ada] = await Promise.all([signUp(api), signUp(api)]);
  await follow(t, reader, ada);
  const liked = await createPost(api, ada.token);
  const other = await createPost(api, ada.token);
  await api.post('/post/like', { post_id: liked }, { token: reader.token });
  const page = await feedOf(t, reader);
  t.deepEqual(
    page.posts.map((post) => [post.post_id, post.liked_by_me]),
    [
      [other, false],
      [liked, true],
    ],
  );
  for (const options of [{}, { token: 'not-a-token' }]) {
    const refused = await api.get('/feed', {}, options);
    t.is(refused.status, 401);
    t.like(refused.body, { code: 'AUT_01' });
  }
  for (const limit of [0, 101, 'abc']) {
    const bad = await api.get('/feed', { limit }, { token: reader.token });
    t.like(bad.body, { code: 'USR_02', field: 'limit' });
  }
  const badCursor = await api.get('/feed', { before: 'x' }, { token: reader.token });
  t.like(badCursor.body, { code: 'USR_02', field: 'before' });
});

test('someone who follows nobody and wrote nothing has an empty feed', async (t) => {
  const reader = await signUp(t.context.api);
  t.deepEqual(await feedOf(t, reader), { posts: [], next: null });
});
