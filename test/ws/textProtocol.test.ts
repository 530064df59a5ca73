import anyTest, { type TestFn } from 'ava';
import { signUp, type SignedUpUser } from '../support/builders.js';
import { enrichedProfile } from '../support/profiles.js';
import {
  openWatch,
  openWatchAs,
  useWatchTarget,
  type WatchContext,
} from '../support/watchSocket.js';

const test = anyTest as TestFn<WatchContext>;
useWatchTarget(test);

const RECEIVED = 'notice: socialuser data received';
const FAILED = 'error: cannot receive socialuser data';

/** Fresh users per test: the tests of this file run concurrently against one server. */
const twoUsers = async (t: { context: WatchContext }): Promise<[SignedUpUser, SignedUpUser]> => [
  await signUp(t.context.api),
  await signUp(t.context.api),
];

const completed = (t: { context: WatchContext }, user: SignedUpUser): Promise<void> =>
  t.context.target.plaza.events.publish('enrichment.completed', {
    user_id: user.userId,
    profile: enrichedProfile(user.userId),
  });

const failed = (t: { context: WatchContext }, user: SignedUpUser): Promise<void> =>
  t.context.target.plaza.events.publish('enrichment.failed', {
    user_id: user.userId,
    reason: 'No data found for this email.',
  });

test('/auth with a valid token answers ok with the user id, then enrichment notices arrive', async (t) => {
  const ada = await signUp(t.context.api);
  const watch = await openWatch(t);
  watch.send(`/auth ${ada.token}`);
  t.is(await watch.next(), `ok: user_id=${ada.userId}`);

  await completed(t, ada);
  t.is(await watch.next(), RECEIVED);
  await failed(t, ada);
  t.is(await watch.next(), FAILED);
});

test('the token may have whitespace around it', async (t) => {
  const ada = await signUp(t.context.api);
  const watch = await openWatch(t);
  watch.send(`/auth   ${ada.token}  \n`);
  t.is(await watch.next(), `ok: user_id=${ada.userId}`);
});

test('a bad, forged or missing token: error: cannot authenticate, and no notices', async (t) => {
  const ada = await signUp(t.context.api);
  const watch = await openWatch(t);
  const [header, payload] = ada.token.split('.');
  for (const message of [
    '/auth not-a-token',
    `/auth ${header}.${payload}.forged`,
    '/auth',
    '/auth   ',
  ]) {
    watch.send(message);
    t.is(await watch.next(), 'error: cannot authenticate', message);
  }
  await completed(t, ada);
  await t.notThrowsAsync(watch.expectNoMessage());
});

test('any other first message: error: syntax; authenticating afterwards still works', async (t) => {
  const ada = await signUp(t.context.api);
  const watch = await openWatch(t);
  for (const message of ['hello', 'auth ' + ada.token, '/authorize x', '/AUTH x', '', '{}']) {
    watch.send(message);
    t.is(await watch.next(), 'error: syntax', JSON.stringify(message));
  }
  watch.send(Buffer.from(`/auth ${ada.token}`));
  t.is(await watch.next(), 'error: syntax', 'a binary frame');
  watch.send(`/auth ${ada.token}`);
  t.is(await watch.next(), `ok: user_id=${ada.userId}`);
});

test('after authentication, other messages get error: syntax and delivery goes on', async (t) => {
  const ada = await signUp(t.context.api);
  const watch = await openWatchAs(t, ada, 'text');
  watch.send('/subscribe everything');
  t.is(await watch.next(), 'error: syntax');
  watch.send(Buffer.from([1, 2, 3]));
  t.is(await watch.next(), 'error: syntax');
  await completed(t, ada);
  t.is(await watch.next(), RECEIVED);
});

test('/auth again with another token switches the socket to that user', async (t) => {
  const [ada, bob] = await twoUsers(t);
  const watch = await openWatchAs(t, ada, 'text');
  watch.send(`/auth ${bob.token}`);
  t.is(await watch.next(), `ok: user_id=${bob.userId}`);

  await completed(t, ada);
  await t.notThrowsAsync(watch.expectNoMessage(), 'no longer Ada');
  await completed(t, bob);
  t.is(await watch.next(), RECEIVED);
});

test('a failed re-authentication leaves the socket unauthenticated: it receives nothing', async (t) => {
  const ada = await signUp(t.context.api);
  const watch = await openWatchAs(t, ada, 'text');
  watch.send('/auth expired-or-garbage');
  t.is(await watch.next(), 'error: cannot authenticate');
  await completed(t, ada);
  await failed(t, ada);
  await t.notThrowsAsync(watch.expectNoMessage());

  watch.send(`/auth ${ada.token}`);
  t.is(await watch.next(), `ok: user_id=${ada.userId}`);
  await completed(t, ada);
  t.is(await watch.next(), RECEIVED);
});

test("users are isolated: Bob gets nothing of Ada's", async (t) => {
  const [ada, bob] = await twoUsers(t);
  const adas = await openWatchAs(t, ada, 'text');
  const bobs = await openWatchAs(t, bob, 'text');
  await completed(t, ada);
  await failed(t, ada);
  t.is(await adas.next(), RECEIVED);
  t.is(await adas.next(), FAILED);
  await t.notThrowsAsync(bobs.expectNoMessage());
});

test('every socket of a user gets the notice', async (t) => {
  const ada = await signUp(t.context.api);
  const first = await openWatchAs(t, ada, 'text');
  const second = await openWatchAs(t, ada, 'text');
  await completed(t, ada);
  t.is(await first.next(), RECEIVED);
  t.is(await second.next(), RECEIVED);
});

test('the text protocol carries no post events', async (t) => {
  const [ada, bob] = await twoUsers(t);
  const watch = await openWatchAs(t, ada, 'text');
  await t.context.target.plaza.events.publish('post.liked', {
    post_id: 1,
    author_id: ada.userId,
    by_user_id: bob.userId,
    likes: 1,
  });
  await t.notThrowsAsync(watch.expectNoMessage());
});
