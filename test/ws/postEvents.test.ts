/**
 * `post.edited` and `post.deleted` over the JSON protocol: to the people who like the post,
 * on each of their sockets, and to nobody else (not the author, not a bystander, not the text
 * protocol).
 */
import anyTest, { type TestFn } from 'ava';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import {
  useWatchTarget,
  openWatchAs,
  type WatchContext,
  withoutId,
} from '../support/watchSocket.js';

const test = anyTest as TestFn<WatchContext>;
useWatchTarget(test);

test('an edit reaches every socket of each liker, and nobody else', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const [ann, bob, bystander] = await Promise.all([signUp(api), signUp(api), signUp(api)]);
  const postId = await createPost(api, author.token);
  for (const fan of [ann, bob]) {
    await api.post('/post/like', { post_id: postId }, { token: fan.token });
  }
  const authors = await openWatchAs(t, author, 'json');
  const annsPhone = await openWatchAs(t, ann, 'json');
  const annsLaptop = await openWatchAs(t, ann, 'json');
  const bobs = await openWatchAs(t, bob, 'json');
  const bystanders = await openWatchAs(t, bystander, 'json');
  const annsText = await openWatchAs(t, ann, 'text');

  const edited = await api.post(
    '/post/edit',
    { post_id: postId, title: 'Better title' },
    { token: author.token },
  );
  t.is(edited.status, 200);
  const expected = {
    type: 'post.edited',
    post_id: postId,
    author_id: author.userId,
    edited: (edited.body['data'] as { edited: string }).edited,
  };
  for (const socket of [annsPhone, annsLaptop, bobs])
    t.deepEqual(withoutId(await socket.nextJson()), expected);
  await t.notThrowsAsync(authors.expectNoMessage(), 'the author made the change');
  await t.notThrowsAsync(bystanders.expectNoMessage(0));
  await t.notThrowsAsync(annsText.expectNoMessage(0), 'the text protocol stays as it was');
});

test('a deletion reaches the people who liked the post, captured before the likes went', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const [fan, formerFan, bystander] = await Promise.all([signUp(api), signUp(api), signUp(api)]);
  const postId = await createPost(api, author.token);
  await api.post('/post/like', { post_id: postId }, { token: fan.token });
  await api.post('/post/like', { post_id: postId }, { token: formerFan.token });
  await api.post('/post/unlike', { post_id: postId }, { token: formerFan.token });
  const fans = await openWatchAs(t, fan, 'json');
  const formerFans = await openWatchAs(t, formerFan, 'json');
  const bystanders = await openWatchAs(t, bystander, 'json');

  const deleted = await api.post('/post/delete', { post_id: postId }, { token: author.token });
  t.deepEqual(deleted.body, { code: 'OK' });
  t.deepEqual(withoutId(await fans.nextJson()), {
    type: 'post.deleted',
    post_id: postId,
    author_id: author.userId,
  });
  await t.notThrowsAsync(formerFans.expectNoMessage(), 'who took their like back hears nothing');
  await t.notThrowsAsync(bystanders.expectNoMessage(0));
});

test('a post liked by 300 people: every connected liker hears of its deletion once', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const postId = await createPost(api, author.token);
  const fans: SignedUpUser[] = [];
  for (let batch = 0; batch < 6; batch += 1) {
    fans.push(...(await Promise.all(Array.from({ length: 50 }, () => signUp(api)))));
  }
  await Promise.all(
    fans.map((fan) => api.post('/post/like', { post_id: postId }, { token: fan.token })),
  );
  // Some at the start, the middle and the end of the likers: in different events' chunks.
  const listening = [...fans.slice(0, 3), ...fans.slice(148, 152), ...fans.slice(-3)];
  const sockets = await Promise.all(listening.map((fan) => openWatchAs(t, fan, 'json')));
  await api.post('/post/delete', { post_id: postId }, { token: author.token });
  for (const socket of sockets) {
    t.like(await socket.nextJson(), { type: 'post.deleted', post_id: postId });
  }
  for (const socket of sockets) await t.notThrowsAsync(socket.expectNoMessage(0));
});
