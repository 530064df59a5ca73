import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { PlazaApiError, type WebSocketLike } from '@plaza/client-sdk';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { clientOf, signedUpClient, type SignedUpClient } from './support/clients.js';
import { WAIT_MS, withTimeout } from '../support/watchSocket.js';
import { nextEvent, recordEvents, withoutId } from './support/liveEvents.js';
import { recordingWebSocket } from './support/recordingWebSocket.js';

/** Live events over `/user-watch?format=json`, through the SDK, from a real server. */

interface Context {
  readonly target: InProcessTarget;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  t.context = { target: await startInProcessTarget() };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

type T = ExecutionContext<Context>;

const user = (t: T): Promise<SignedUpClient> => signedUpClient(t, t.context.target.baseUrl);

const aPostOf = async (author: SignedUpClient): Promise<number> =>
  (await author.client.posts.create({ title: 'Watch me', text: '.' })).post_id;

/** The close code of `socket`, once it closes (bounded by WAIT_MS). */
const closedEvent = (socket: WebSocketLike): Promise<number> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket stayed open')), WAIT_MS);
    socket.addEventListener('close', ({ code }) => {
      clearTimeout(timer);
      resolve(code);
    });
  });

test('connect resolves once the server says ready, with state open', async (t) => {
  const ada = await user(t);
  const readies = recordEvents(ada.client.events, 'ready');
  t.is(ada.client.events.state, 'idle');
  const connecting = ada.client.events.connect();
  t.is(ada.client.events.state, 'connecting');
  await connecting;
  t.is(ada.client.events.state, 'open');
  t.deepEqual(readies, [{ user_id: ada.session.user_id }]);
  await ada.client.events.connect();
  t.is(readies.length, 1, 'connect() on an open connection does nothing');
  ada.client.events.close();
  t.is(ada.client.events.state, 'closed');
});

test('post.liked and post.unliked reach the author, not the liker nor anyone else', async (t) => {
  const [author, liker, bystander] = await Promise.all([user(t), user(t), user(t)]);
  const postId = await aPostOf(author);
  const bystandersPost = await aPostOf(bystander);
  const likersPost = await aPostOf(liker);
  await Promise.all([author, liker, bystander].map(({ client }) => client.events.connect()));
  const heardByLiker = recordEvents(liker.client.events, 'post.liked');
  const heardByBystander = recordEvents(bystander.client.events, 'post.liked');

  const liked = nextEvent(author.client.events, 'post.liked');
  await liker.client.likes.like(postId);
  t.deepEqual(withoutId(await liked), {
    post_id: postId,
    by_user_id: liker.session.user_id,
    likes: 1,
  });

  const unliked = nextEvent(author.client.events, 'post.unliked');
  await liker.client.likes.unlike(postId);
  t.deepEqual(withoutId(await unliked), {
    post_id: postId,
    by_user_id: liker.session.user_id,
    likes: 0,
  });

  // The server sends a socket's events in order: once a later like of their own post
  // arrives, an earlier event for them would have arrived before it.
  const bystanderHears = nextEvent(bystander.client.events, 'post.liked');
  const likerHears = nextEvent(liker.client.events, 'post.liked');
  await author.client.likes.like(bystandersPost);
  await author.client.likes.like(likersPost);
  await Promise.all([bystanderHears, likerHears]);
  t.deepEqual(
    heardByBystander.map((event) => event.post_id),
    [bystandersPost],
  );
  t.deepEqual(
    heardByLiker.map((event) => event.post_id),
    [likersPost],
  );
});

test('two listeners of one type are both called; an unsubscribed one no more', async (t) => {
  const [author, liker] = await Promise.all([user(t), user(t)]);
  const [first, second] = [await aPostOf(author), await aPostOf(author)];
  await author.client.events.connect();
  const one: number[] = [];
  const two: number[] = [];
  const stopOne = author.client.events.on('post.liked', (event) => one.push(event.post_id));
  author.client.events.on('post.liked', (event) => two.push(event.post_id));

  const firstArrived = nextEvent(author.client.events, 'post.liked', (e) => e.post_id === first);
  await liker.client.likes.like(first);
  await firstArrived;
  t.deepEqual(one, [first]);
  t.deepEqual(two, [first]);

  stopOne();
  stopOne();
  const secondArrived = nextEvent(author.client.events, 'post.liked', (e) => e.post_id === second);
  await liker.client.likes.like(second);
  await secondArrived;
  t.deepEqual(one, [first], 'unsubscribed');
  t.deepEqual(two, [first, second], 'the other listener still hears');
});

test('a listener that throws does not stop the others; the error is reported', async (t) => {
  const [author, liker] = await Promise.all([user(t), user(t)]);
  const postId = await aPostOf(author);
  await author.client.events.connect();
  author.client.events.on('post.liked', () => {
    throw new Error('listener bug');
  });
  const reported = nextEvent(author.client.events, 'error');
  const others = nextEvent(author.client.events, 'post.liked');
  await liker.client.likes.like(postId);
  t.is((await others).post_id, postId);
  t.is((await reported).error.message, 'listener bug');
  t.is(author.client.events.state, 'open');
});

test('a forged token: connect rejects with PlazaApiError AUT_01', async (t) => {
  const client = clientOf(t, t.context.target.baseUrl, { token: 'forged.token.value' });
  const error = await t.throwsAsync(client.events.connect(), { instanceOf: PlazaApiError });
  t.is(error.code, 'AUT_01');
  t.is(error.status, 401);
  t.is(error.field, 'TOKEN');
  t.is(client.events.state, 'idle');
});

test('connect without a token rejects with AUT_01 and opens no socket', async (t) => {
  const recording = recordingWebSocket();
  const client = clientOf(t, t.context.target.baseUrl, { WebSocket: recording.WebSocket });
  const error = await t.throwsAsync(client.events.connect(), { instanceOf: PlazaApiError });
  t.is(error.code, 'AUT_01');
  t.is(recording.made.length, 0);
});

test('setToken re-authenticates the open socket as the other user', async (t) => {
  const [ann, bob, liker] = await Promise.all([user(t), user(t), user(t)]);
  const annsPost = await aPostOf(ann);
  const bobsPost = await aPostOf(bob);
  const recording = recordingWebSocket();
  const client = clientOf(t, t.context.target.baseUrl, {
    token: ann.session.token,
    WebSocket: recording.WebSocket,
  });
  await client.events.connect();
  const liked = recordEvents(client.events, 'post.liked');

  const readyAsBob = nextEvent(client.events, 'ready');
  client.auth.setToken(bob.session.token);
  t.deepEqual(await readyAsBob, { user_id: bob.session.user_id });
  t.is(recording.made.length, 1, 'the same socket, authenticated again');

  const bobHears = nextEvent(client.events, 'post.liked');
  await liker.client.likes.like(annsPost);
  await liker.client.likes.like(bobsPost);
  await bobHears;
  t.deepEqual(liked.map(withoutId), [
    { post_id: bobsPost, by_user_id: liker.session.user_id, likes: 1 },
  ]);
});

test('a token set while the socket is still opening is the one it authenticates with', async (t) => {
  const [ann, bob] = await Promise.all([user(t), user(t)]);
  const client = clientOf(t, t.context.target.baseUrl, { token: ann.session.token });
  const readies = recordEvents(client.events, 'ready');
  const connected = client.events.connect();
  client.auth.setToken(bob.session.token);
  await connected;
  t.deepEqual(readies, [{ user_id: bob.session.user_id }]);
});

test('setToken with a forged token: the socket is refused and ends, without retries', async (t) => {
  const ann = await user(t);
  await ann.client.events.connect();
  const failed = nextEvent(ann.client.events, 'error');
  const disconnected = nextEvent(ann.client.events, 'disconnected');
  ann.client.auth.setToken('forged.token.value');
  const { error } = await failed;
  t.true(error instanceof PlazaApiError);
  t.is((error as PlazaApiError).code, 'AUT_01');
  t.is((await disconnected).retryInMs, undefined, 'no retry is coming');
  t.is(ann.client.events.state, 'idle');
});

test('logout closes the events connection', async (t) => {
  const recording = recordingWebSocket();
  const { client } = await signedUpClient(
    t,
    t.context.target.baseUrl,
    {},
    { WebSocket: recording.WebSocket },
  );
  await client.events.connect();
  const socket = recording.made[0]!;
  const closed = closedEvent(socket);
  client.auth.logout();
  t.is(await closed, 1000);
  t.not(client.events.state, 'open');
  const error = await t.throwsAsync(client.events.connect(), { instanceOf: PlazaApiError });
  t.is(error.code, 'AUT_01', 'signed out: no token to connect with');
});

test('close() before the server is ready settles connect()', async (t) => {
  const ann = await user(t);
  const connecting = ann.client.events.connect();
  ann.client.events.close();
  await t.throwsAsync(withTimeout(connecting, WAIT_MS, 'connect() after close()'), {
    message: /closed before it was ready/,
  });
  t.is(ann.client.events.state, 'closed');
});

test('the WebSocket passed as an option is the one used, at /user-watch?format=json', async (t) => {
  const recording = recordingWebSocket();
  const { client, session } = await signedUpClient(
    t,
    t.context.target.baseUrl,
    {},
    { WebSocket: recording.WebSocket },
  );
  const ready = nextEvent(client.events, 'ready');
  await client.events.connect();
  t.is((await ready).user_id, session.user_id);
  t.is(recording.made.length, 1);
  const url = new URL(recording.made[0]!.url);
  t.is(url.protocol, 'ws:');
  t.is(url.host, new URL(t.context.target.baseUrl).host);
  t.is(url.pathname, '/user-watch');
  t.is(url.search, '?format=json');
});
