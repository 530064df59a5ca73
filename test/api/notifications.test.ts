import anyTest, { type TestFn } from 'ava';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import type { Api } from '../support/http.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

interface Entry {
  readonly id: number;
  readonly type: string;
  readonly created: string;
  readonly read: boolean;
  readonly [field: string]: unknown;
}

interface InboxPage {
  readonly notifications: Entry[];
  readonly next: number | null;
  readonly unread: number;
}

async function inboxPage(
  api: Api,
  user: SignedUpUser,
  params: Record<string, number> = {},
): Promise<InboxPage> {
  const answer = await api.get('/notifications', params, { token: user.token });
  if (answer.status !== 200) throw new Error(`notifications: ${answer.status} ${answer.text}`);
  return answer.body['data'] as InboxPage;
}

/**
 * Every entry, newest first, following `next`; enrichment outcomes left out (a server with
 * a provider adds one after each sign-up, whenever it finishes).
 */
async function wholeInbox(api: Api, user: SignedUpUser, limit = 100): Promise<Entry[]> {
  const seen: Entry[] = [];
  let before: number | null = null;
  for (let page = 0; page < 1000; page += 1) {
    const data = await inboxPage(api, user, before === null ? { limit } : { limit, before });
    seen.push(...data.notifications);
    before = data.next;
    if (before === null) break;
  }
  return seen.filter((entry) => !entry.type.startsWith('enrichment.'));
}

const like = (api: Api, user: SignedUpUser, postId: number) =>
  api.post('/post/like', { post_id: postId }, { token: user.token });

test('likes, unlikes, comments and follows land in the inbox of whom they concern, newest first', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const fan = await signUp(api);
  const postId = await createPost(api, author.token);

  t.is((await like(api, fan, postId)).status, 200);
  t.is((await like(api, fan, postId)).status, 200, 'a repeated like changes nothing');
  t.is((await api.post('/post/unlike', { post_id: postId }, { token: fan.token })).status, 200);
  const commented = await api.post(
    '/post/comment',
    { post_id: postId, text: 'Nice words' },
    { token: fan.token },
  );
  t.is(commented.status, 200);
  const commentId = (commented.body['data'] as { comment_id: number }).comment_id;
  t.is(
    (await api.post('/user/follow', { user_id: author.userId }, { token: fan.token })).status,
    200,
  );

  const entries = await wholeInbox(api, author);
  t.deepEqual(
    entries.map(({ id: _id, created: _created, ...rest }) => rest),
    [
      { type: 'user.followed', read: false, by_user_id: fan.userId, followers_count: 1 },
      {
        type: 'comment.created',
        read: false,
        comment_id: commentId,
        post_id: postId,
        by_user_id: fan.userId,
        comments: 1,
        excerpt: 'Nice words',
      },
      { type: 'post.unliked', read: false, post_id: postId, by_user_id: fan.userId, likes: 0 },
      { type: 'post.liked', read: false, post_id: postId, by_user_id: fan.userId, likes: 1 },
    ],
  );
  const ids = entries.map((entry) => entry.id);
  t.deepEqual(
    ids,
    [...ids].sort((a, b) => b - a),
    'newest first, ids growing',
  );
  t.true(entries.every((entry) => !Number.isNaN(Date.parse(entry.created))));
  t.deepEqual(await wholeInbox(api, fan), [], 'the one who acted is told nothing');
});

test('a comment on one’s own post and a like of one’s own post: only the like is kept', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const postId = await createPost(api, author.token);
  await api.post('/post/comment', { post_id: postId, text: 'me' }, { token: author.token });
  await like(api, author, postId);
  t.deepEqual(
    (await wholeInbox(api, author)).map((entry) => entry.type),
    ['post.liked'],
  );
});

test('edits and deletions of a post reach the inbox of each who likes it, not the author’s', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const [ann, bob, former] = await Promise.all([signUp(api), signUp(api), signUp(api)]);
  const postId = await createPost(api, author.token);
  for (const fan of [ann, bob, former]) await like(api, fan, postId);
  await api.post('/post/unlike', { post_id: postId }, { token: former.token });
  const edited = await api.post(
    '/post/edit',
    { post_id: postId, title: 'Better' },
    { token: author.token },
  );
  t.is(edited.status, 200);
  const editedAt = (edited.body['data'] as { edited: string }).edited;
  t.is((await api.post('/post/delete', { post_id: postId }, { token: author.token })).status, 200);

  for (const fan of [ann, bob]) {
    t.deepEqual(
      (await wholeInbox(api, fan)).map(({ id: _id, created: _created, ...rest }) => rest),
      [
        { type: 'post.deleted', read: false, post_id: postId, author_id: author.userId },
        {
          type: 'post.edited',
          read: false,
          post_id: postId,
          author_id: author.userId,
          edited: editedAt,
        },
      ],
    );
  }
  t.deepEqual(await wholeInbox(api, former), [], 'who took their like back hears nothing');
  t.false(
    (await wholeInbox(api, author)).some((entry) => entry.type.startsWith('post.edited')),
    'the author made the change',
  );
});

test('pages follow `before`, each newest first, until next is null', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const fans = await Promise.all(Array.from({ length: 7 }, () => signUp(api)));
  const postId = await createPost(api, author.token);
  for (const fan of fans) await like(api, fan, postId);
  const whole = await wholeInbox(api, author, 100);
  const paged = await wholeInbox(api, author, 3);
  t.is(whole.length, 7);
  t.deepEqual(paged, whole);
  t.deepEqual(
    whole.map((entry) => entry['by_user_id']),
    [...fans].reverse().map((fan) => fan.userId),
  );
  const first = await inboxPage(api, author, { limit: 3 });
  t.is(first.notifications.length, 3);
  t.is(first.next, first.notifications.at(-1)?.id ?? null);
});

test('marking read up to an id: those entries read, later ones not, unread counted', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const fans = await Promise.all(Array.from({ length: 4 }, () => signUp(api)));
  const postId = await createPost(api, author.token);
  for (const fan of fans) await like(api, fan, postId);
  const before = await inboxPage(api, author);
  const likes = before.notifications.filter((entry) => entry.type === 'post.liked');
  t.is(likes.length, 4);
  t.true(before.unread >= 4);
  // Oldest first: the two oldest likes get read.
  const [oldest, second] = [...likes].reverse();
  const marked = await api.post(
    '/notifications/read',
    { up_to: second?.id ?? 0 },
    { token: author.token },
  );
  t.is(marked.status, 200);
  const after = await inboxPage(api, author);
  const unreadLeft = after.notifications.filter((entry) => !entry.read).length;
  t.deepEqual(marked.body, { code: 'OK', data: { unread: unreadLeft } });
  t.is(after.unread, unreadLeft);
  const readIds = after.notifications.filter((entry) => entry.read).map((entry) => entry.id);
  t.true(readIds.includes(oldest?.id ?? -1) && readIds.includes(second?.id ?? -1));
  t.true(
    after.notifications
      .filter((entry) => entry.type === 'post.liked' && entry.id > (second?.id ?? 0))
      .every((entry) => !entry.read),
  );
  // Again, and past the newest: idempotent, then everything read.
  const again = await api.post(
    '/notifications/read',
    { up_to: second?.id ?? 0 },
    { token: author.token },
  );
  t.deepEqual(again.body, marked.body);
  const all = await api.post(
    '/notifications/read',
    { up_to: 2_000_000_000 },
    { token: author.token },
  );
  t.deepEqual(all.body, { code: 'OK', data: { unread: 0 } });
  t.is((await inboxPage(api, author)).unread, 0);
});

test('marking read touches one’s own inbox only', async (t) => {
  const { api } = t.context;
  const [ann, bob] = await Promise.all([signUp(api), signUp(api)]);
  const annPost = await createPost(api, ann.token);
  const bobPost = await createPost(api, bob.token);
  await like(api, bob, annPost);
  await like(api, ann, bobPost);
  const newest = Math.max(
    ...(await wholeInbox(api, ann)).map((entry) => entry.id),
    ...(await wholeInbox(api, bob)).map((entry) => entry.id),
  );
  await api.post('/notifications/read', { up_to: newest }, { token: ann.token });
  t.true((await wholeInbox(api, ann)).every((entry) => entry.read));
  t.true((await wholeInbox(api, bob)).every((entry) => !entry.read));
});

test('concurrent likes: one entry each, and in id order the counts go 1, 2, 3…', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const fans = await Promise.all(Array.from({ length: 24 }, () => signUp(api)));
  const postId = await createPost(api, author.token);
  const answers = await Promise.all(fans.map((fan) => like(api, fan, postId)));
  t.true(answers.every((answer) => answer.status === 200));
  const likes = (await wholeInbox(api, author)).filter((entry) => entry.type === 'post.liked');
  t.is(likes.length, fans.length);
  t.is(new Set(likes.map((entry) => entry.id)).size, fans.length, 'ids unique');
  // Each entry holds the count its like left, and the ids follow the order the likes committed.
  const oldestFirst = [...likes].sort((a, b) => a.id - b.id);
  t.deepEqual(
    oldestFirst.map((entry) => entry['likes']),
    fans.map((_, index) => index + 1),
  );
  const ascending = (ids: unknown[]) => ids.map(Number).sort((a, b) => a - b);
  t.deepEqual(
    ascending(likes.map((entry) => entry['by_user_id'])),
    ascending(fans.map((fan) => fan.userId)),
  );
});

test('without a token both routes are AUT_01; bad parameters are USR_02 or PAR_01', async (t) => {
  const { api } = t.context;
  const user = await signUp(api);
  const listed = await api.get('/notifications');
  t.is(listed.status, 401);
  t.is(listed.body['code'], 'AUT_01');
  const marked = await api.post('/notifications/read', { up_to: 1 });
  t.is(marked.status, 401);
  t.is(marked.body['code'], 'AUT_01');
  for (const [params, field] of [
    [{ limit: 0 }, 'limit'],
    [{ limit: 101 }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ before: -1 }, 'before'],
    [{ before: 'x' }, 'before'],
  ] as const) {
    const answer = await api.get('/notifications', params, { token: user.token });
    t.is(answer.status, 400, JSON.stringify(params));
    t.like(answer.body, { code: 'USR_02', field });
  }
  const missing = await api.post('/notifications/read', {}, { token: user.token });
  t.is(missing.status, 400);
  t.like(missing.body, { code: 'PAR_01', message: 'Missing HTTP param.', field: 'up_to' });
  const bad = await api.post('/notifications/read', { up_to: 'all' }, { token: user.token });
  t.is(bad.status, 400);
  t.like(bad.body, { code: 'USR_02', field: 'up_to' });
});
