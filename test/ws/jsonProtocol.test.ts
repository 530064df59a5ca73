import anyTest, { type TestFn } from 'ava';
import { createPost, signUp } from '../support/builders.js';
import { enrichedProfile } from '../support/profiles.js';
import {
  openWatch,
  openWatchAs,
  useWatchTarget,
  type WatchContext,
  withoutId,
} from '../support/watchSocket.js';

const test = anyTest as TestFn<WatchContext>;
useWatchTarget(test);

const auth = (token: unknown): string => JSON.stringify({ type: 'auth', token });

const INVALID_TOKEN = { type: 'error', code: 'AUT_01', message: 'The auth token is invalid.' };

test('{"type":"auth"} with a valid token answers ready with the user id', async (t) => {
  const ada = await signUp(t.context.api);
  const watch = await openWatch(t, { format: 'json' });
  watch.send(auth(ada.token));
  t.is(await watch.next(), JSON.stringify({ type: 'ready', user_id: ada.userId }));
});

test('a bad or missing token answers AUT_01', async (t) => {
  const ada = await signUp(t.context.api);
  const watch = await openWatch(t, { format: 'json' });
  for (const message of [
    auth('not-a-token'),
    auth(`${ada.token}x`),
    JSON.stringify({ type: 'auth' }),
    auth(42),
  ]) {
    watch.send(message);
    t.deepEqual(await watch.nextJson(), INVALID_TOKEN, message);
  }
});

test('unparsable or unknown messages answer a syntax error; binary too', async (t) => {
  const watch = await openWatch(t, { format: 'json' });
  for (const message of ['/auth x', '{"type":', '[]', 'null', '{"type":"subscribe"}', '{}']) {
    watch.send(message);
    const answer = (await watch.nextJson()) as Record<string, unknown>;
    t.like(answer, { type: 'error', code: 'syntax' }, message);
    t.is(typeof answer['message'], 'string');
    t.true((answer['message'] as string).length > 0);
  }
  watch.send(Buffer.from(auth('x')));
  t.like(await watch.nextJson(), { type: 'error', code: 'syntax' });
});

test('enrichment events carry the profile or the reason', async (t) => {
  const ada = await signUp(t.context.api);
  const watch = await openWatchAs(t, ada, 'json');
  const profile = enrichedProfile(ada.userId, { city: 'Zürich', bio: 'Line one\nline "two"' });
  await t.context.target.plaza.events.publish('enrichment.completed', {
    user_id: ada.userId,
    profile,
  });
  t.deepEqual(await watch.nextJson(), {
    type: 'enrichment.completed',
    user_id: ada.userId,
    profile,
  });
  await t.context.target.plaza.events.publish('enrichment.failed', {
    user_id: ada.userId,
    reason: 'No data found for this email.',
  });
  t.deepEqual(await watch.nextJson(), {
    type: 'enrichment.failed',
    user_id: ada.userId,
    reason: 'No data found for this email.',
  });
});

test('likes over the HTTP API reach the author only, not the liker nor anyone else', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const liker = await signUp(api);
  const bystander = await signUp(api);
  const postId = await createPost(api, author.token);
  const authors = await openWatchAs(t, author, 'json');
  const authorsText = await openWatchAs(t, author, 'text');
  const likers = await openWatchAs(t, liker, 'json');
  const bystanders = await openWatchAs(t, bystander, 'json');

  t.is((await api.post('/post/like', { post_id: postId }, { token: liker.token })).status, 200);
  t.deepEqual(withoutId(await authors.nextJson()), {
    type: 'post.liked',
    post_id: postId,
    by_user_id: liker.userId,
    likes: 1,
  });
  t.is((await api.post('/post/unlike', { post_id: postId }, { token: liker.token })).status, 200);
  t.deepEqual(withoutId(await authors.nextJson()), {
    type: 'post.unliked',
    post_id: postId,
    by_user_id: liker.userId,
    likes: 0,
  });

  await t.notThrowsAsync(likers.expectNoMessage(), 'the liker hears nothing');
  await t.notThrowsAsync(bystanders.expectNoMessage(0), 'nor does anyone else');
  await t.notThrowsAsync(authorsText.expectNoMessage(0), 'nor the text protocol');
});

test('auth again switches the socket to the other user; a failed one stops delivery', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const other = await signUp(api);
  const liker = await signUp(api);
  const postId = await createPost(api, author.token);
  const watch = await openWatchAs(t, other, 'json');

  watch.send(auth(author.token));
  t.deepEqual(await watch.nextJson(), { type: 'ready', user_id: author.userId });
  await api.post('/post/like', { post_id: postId }, { token: liker.token });
  t.like(await watch.nextJson(), { type: 'post.liked', post_id: postId, likes: 1 });

  watch.send(auth('garbage'));
  t.deepEqual(await watch.nextJson(), INVALID_TOKEN);
  await api.post('/post/unlike', { post_id: postId }, { token: liker.token });
  await t.notThrowsAsync(watch.expectNoMessage());
});
