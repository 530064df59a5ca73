/**
 * Resuming a JSON `/user-watch` socket (`since` in its auth message): every kept event after
 * `since` first, in order, then live ones, with no gap and no event twice; `resync` when what
 * it missed was pruned.
 */
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import type { EventBus } from '@plaza/core';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import { Api } from '../support/http.js';
import { startInProcessTarget } from '../support/apiTarget.js';
import {
  openWatch,
  openWatchSocket,
  useWatchTarget,
  type WatchClient,
  type WatchContext,
} from '../support/watchSocket.js';

const test = anyTest as TestFn<WatchContext>;
useWatchTarget(test);

interface Ready {
  readonly type: 'ready';
  readonly user_id: number;
  readonly last_id: number;
  readonly unread: number;
}

interface Frame {
  readonly type: string;
  readonly id: number;
  readonly [field: string]: unknown;
}

const like = (api: Api, user: SignedUpUser, postId: number) =>
  api.post('/post/like', { post_id: postId }, { token: user.token });

/** Sends the auth message with `since` and answers the `ready` frame. */
async function resume(
  socket: WatchClient,
  user: SignedUpUser,
  since: number | null,
): Promise<Ready> {
  socket.send(JSON.stringify({ type: 'auth', token: user.token, since }));
  const answer = (await socket.nextJson()) as Record<string, unknown>;
  if (answer['type'] !== 'ready') throw new Error(`auth answered ${JSON.stringify(answer)}`);
  return answer as unknown as Ready;
}

async function resumed(
  t: ExecutionContext<WatchContext>,
  user: SignedUpUser,
  since: number | null,
): Promise<{ socket: WatchClient; ready: Ready }> {
  const socket = await openWatch(t, { format: 'json' });
  return { socket, ready: await resume(socket, user, since) };
}

/** The raw frames of `count` events, in the order received. */
async function framesOf(socket: WatchClient, count: number): Promise<string[]> {
  const frames: string[] = [];
  while (frames.length < count) frames.push(await socket.next());
  return frames;
}

const idsOf = (frames: readonly string[]): number[] =>
  frames.map((frame) => (JSON.parse(frame) as Frame).id);

/** The person's inbox, oldest first, as its entries would be sent: `{type, …fields, id}`. */
async function keptFrames(api: Api, user: SignedUpUser): Promise<string[]> {
  const answer = await api.get('/notifications', { limit: 100 }, { token: user.token });
  const entries = (answer.body['data'] as { notifications: Frame[] }).notifications;
  return entries
    .reverse()
    .map(({ id, type, created: _created, read: _read, ...fields }) =>
      JSON.stringify({ type, ...fields, id }),
    );
}

test('since: the kept events after it first, oldest first, the very frames sent live; then live ones', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const fans = await Promise.all(Array.from({ length: 5 }, () => signUp(api)));
  const postId = await createPost(api, author.token);

  const first = await resumed(t, author, null);
  t.deepEqual(first.ready, { type: 'ready', user_id: author.userId, last_id: 0, unread: 0 });
  await like(api, fans[0]!, postId);
  const [live] = await framesOf(first.socket, 1);
  first.socket.close();
  // Missed while away.
  for (const fan of fans.slice(1)) await like(api, fan, postId);

  const seenId = idsOf([live!])[0]!;
  const again = await resumed(t, author, seenId);
  const kept = await keptFrames(api, author);
  t.is(kept.length, 5);
  t.is(kept[0], live, 'a kept frame is the live one, byte for byte');
  t.deepEqual(again.ready, {
    type: 'ready',
    user_id: author.userId,
    last_id: idsOf(kept).at(-1),
    unread: 5,
  });
  t.deepEqual(await framesOf(again.socket, 4), kept.slice(1));
  const late = await signUp(api);
  await like(api, late, postId);
  const [next] = await framesOf(again.socket, 1);
  t.like(JSON.parse(next!), { type: 'post.liked', by_user_id: late.userId, likes: 6 });
  await t.notThrowsAsync(again.socket.expectNoMessage());

  // `since: null`: nothing old, live from the newest id on.
  const fresh = await resumed(t, author, null);
  t.is(fresh.ready.last_id, idsOf([next!])[0]!);
  await t.notThrowsAsync(fresh.socket.expectNoMessage());
});

test('events that keep coming while a socket replays: every one once, in id order', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const fans = await Promise.all(Array.from({ length: 60 }, () => signUp(api)));
  const postIds = await Promise.all([1, 2, 3].map(() => createPost(api, author.token)));
  const before = await resumed(t, author, null);
  before.socket.close();
  const since = before.ready.last_id;

  // Likes in waves; sockets resume from `since` while they land.
  const liking = (async () => {
    for (let wave = 0; wave < 6; wave += 1) {
      await Promise.all(
        fans
          .slice(wave * 10, wave * 10 + 10)
          .map((fan, index) => like(api, fan, postIds[index % 3]!)),
      );
    }
  })();
  const sockets: WatchClient[] = [];
  for (let i = 0; i < 4; i += 1) {
    sockets.push((await resumed(t, author, since)).socket);
    await new Promise((resolve) => setTimeout(resolve, 15 * i));
  }
  await liking;

  const kept = await keptFrames(api, author);
  t.is(kept.length, 60);
  for (const socket of sockets) {
    const frames = await framesOf(socket, 60);
    t.deepEqual(frames, kept, 'every like once, in id order');
    await t.notThrowsAsync(socket.expectNoMessage(200), 'and nothing more');
  }
});

test('a live event whose predecessor has not arrived yet waits for it to be read from the inbox', async (t) => {
  const { api, target } = t.context;
  const author = await signUp(api);
  const [ann, bob, cat] = await Promise.all([signUp(api), signUp(api), signUp(api)]);
  const postId = await createPost(api, author.token);
  const { socket } = await resumed(t, author, null);

  // As when another instance's event reaches this one late: the first like's event is held
  // back until after the second's.
  const bus = target.plaza.events as EventBus & { publish: EventBus['publish'] };
  const publish = bus.publish.bind(bus);
  const held: Array<() => Promise<void>> = [];
  bus.publish = (type, payload) => {
    if (type !== 'post.liked') return publish(type, payload);
    if (held.length === 0) {
      held.push(() => publish(type, payload));
      return Promise.resolve();
    }
    return publish(type, payload);
  };
  try {
    await like(api, ann, postId);
    await like(api, bob, postId);
    const frames = await framesOf(socket, 2);
    t.deepEqual(
      frames.map((frame) => (JSON.parse(frame) as Frame)['by_user_id']),
      [ann.userId, bob.userId],
      'the held one first, read from the inbox',
    );
    await held[0]!();
    await t.notThrowsAsync(socket.expectNoMessage(), 'the late event itself is not sent again');
  } finally {
    bus.publish = publish;
  }
  // A repeat of an event already sent is dropped too; the next one goes out.
  await like(api, cat, postId);
  const [third] = await framesOf(socket, 1);
  t.like(JSON.parse(third!), { by_user_id: cat.userId, likes: 3 });
  await t.notThrowsAsync(socket.expectNoMessage());
});

test('since older than what is kept: one resync frame, then live events', async (t) => {
  const target = await startInProcessTarget({ inbox: { keep: 3 } });
  t.teardown(() => target.close());
  const api = new Api(target.baseUrl);
  const author = await signUp(api);
  const fans = await Promise.all(Array.from({ length: 8 }, () => signUp(api)));
  const postId = await createPost(api, author.token);
  for (const fan of fans) await like(api, fan, postId);
  const kept = await keptFrames(api, author);
  t.is(kept.length, 3, 'the newest three are kept');
  const keptIds = idsOf(kept);

  const open = async (since: number) => {
    const socket = await openWatchSocket(target.baseUrl, { format: 'json' });
    t.teardown(() => socket.socket.terminate());
    return { socket, ready: await resume(socket, author, since) };
  };
  // The first like's entry is gone, with those after it up to the kept ones.
  const stale = await open(keptIds[0]! - 1);
  t.deepEqual(await stale.socket.nextJson(), { type: 'resync' });
  t.is(stale.ready.last_id, keptIds[2]!);
  await t.notThrowsAsync(stale.socket.expectNoMessage());
  const late = await signUp(api);
  await like(api, late, postId);
  t.like(await stale.socket.nextJson(), { type: 'post.liked', by_user_id: late.userId });

  // One still kept: no resync, the rest follows.
  const recent = await open(keptIds[1]!);
  t.like(await recent.socket.nextJson(), { id: keptIds[2] });
  t.like(await recent.socket.nextJson(), { by_user_id: late.userId });
  await t.notThrowsAsync(recent.socket.expectNoMessage());
});

test('since that is not null or a whole number from 0 is a syntax error', async (t) => {
  const { api } = t.context;
  const user = await signUp(api);
  const socket = await openWatch(t, { format: 'json' });
  for (const since of ['5', -1, 1.5, true, {}]) {
    socket.send(JSON.stringify({ type: 'auth', token: user.token, since }));
    t.like(await socket.nextJson(), { type: 'error', code: 'syntax' }, JSON.stringify(since));
  }
  t.like(await resume(socket, user, 0), { user_id: user.userId });
});
