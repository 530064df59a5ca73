import test from 'ava';
import type { PlazaClient } from '@plaza/client-sdk';
import { eventually } from '../support/eventually.js';
import { signedUpClient, type SignedUpClient } from './support/clients.js';
import { nextEvent, recordEvents } from './support/liveEvents.js';
import { recordingWebSocket } from './support/recordingWebSocket.js';
import { startLoopbackPlaza, temporaryDatabase } from './support/loopbackPlaza.js';

const RECONNECT = { baseDelayMs: 20, maxDelayMs: 200 };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function fansOf(
  t: Parameters<typeof signedUpClient>[0],
  url: string,
  count: number,
): Promise<SignedUpClient[]> {
  const fans: SignedUpClient[] = [];
  for (let i = 0; i < count; i += 1) fans.push(await signedUpClient(t, url));
  return fans;
}

const newPost = async (client: PlazaClient): Promise<number> =>
  (await client.posts.create({ title: 'Mine', text: 'words' })).post_id;

test('every like reaches the app once, in order, while its socket keeps being cut', async (t) => {
  const server = await startLoopbackPlaza({ databaseUrl: temporaryDatabase(t) });
  t.teardown(() => server.stop());
  const sockets = recordingWebSocket();
  const author = await signedUpClient(
    t,
    server.url,
    {},
    { WebSocket: sockets.WebSocket, reconnect: RECONNECT },
  );
  const fans = await fansOf(t, server.url, 24);
  const postId = await newPost(author.client);
  const heard = recordEvents(author.client.events, 'post.liked');
  const drops = recordEvents(author.client.events, 'disconnected');
  await author.client.events.connect();

  // Likes in waves of three; the socket is cut (no close frame) after every other wave.
  for (let wave = 0; wave < 8; wave += 1) {
    await Promise.all(
      fans.slice(wave * 3, wave * 3 + 3).map((fan) => fan.client.likes.like(postId)),
    );
    if (wave % 2 === 0) {
      // Each cut on a socket that is up again, so that each is a drop of its own.
      await eventually('the socket up again', () =>
        author.client.events.state === 'open' ? true : undefined,
      );
      sockets.made.at(-1)?.terminate();
    }
  }
  await eventually('every like heard', () => (heard.length >= fans.length ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));

  t.true(drops.length >= 4, `the socket was cut ${drops.length} times`);
  t.true(sockets.made.length >= 5, 'and opened again each time');
  t.is(heard.length, fans.length, 'no like twice');
  const ids = heard.map((event) => event.id);
  t.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
    'in inbox order',
  );
  t.deepEqual(
    heard.map((event) => event.likes),
    fans.map((_, index) => index + 1),
    'each with the count it left, in the order they committed',
  );
  t.deepEqual(
    heard.map((event) => event.by_user_id).sort((a, b) => a - b),
    fans.map((fan) => fan.session.user_id).sort((a, b) => a - b),
  );
  // The inbox holds the same, newest first.
  const kept = await collect(author.client.notifications.iterate({ limit: 5 }));
  t.deepEqual(
    kept.map((entry) => entry.id),
    [...ids].reverse(),
  );
});

test('notifications: list, iterate, markRead, and the unread count as an event', async (t) => {
  const server = await startLoopbackPlaza({ databaseUrl: temporaryDatabase(t) });
  t.teardown(() => server.stop());
  const author = await signedUpClient(t, server.url);
  const [ann, bob] = await fansOf(t, server.url, 2);
  const postId = await newPost(author.client);
  await ann!.client.likes.like(postId);
  await bob!.client.likes.like(postId);
  await ann!.client.users.follow(author.session.user_id);

  const page = await author.client.notifications.list({ limit: 2 });
  t.is(page.unread, 3);
  t.deepEqual(
    page.notifications.map((entry) => entry.type),
    ['user.followed', 'post.liked'],
  );
  t.like(page.notifications[0], {
    by_user_id: ann!.session.user_id,
    followers_count: 1,
    read: false,
  });
  t.is(page.next, page.notifications[1]?.id ?? null);
  const all = await collect(author.client.notifications.iterate({ limit: 2 }));
  t.deepEqual(
    all.map((entry) => entry.type),
    ['user.followed', 'post.liked', 'post.liked'],
  );

  const unread = recordEvents(author.client.events, 'unread');
  await author.client.events.connect();
  await eventually('the count at ready', () => (unread.length > 0 ? true : undefined));
  t.deepEqual(unread, [{ unread: 3 }]);
  const liked = nextEvent(author.client.events, 'post.liked');
  const [cat] = await fansOf(t, server.url, 1);
  await cat!.client.likes.like(postId);
  await liked;
  t.deepEqual(unread.at(-1), { unread: 4 }, 'a new event is one more');

  const oldestTwo = all.slice(-2);
  const answer = await author.client.notifications.markRead(oldestTwo[0]!.id);
  t.deepEqual(answer, { unread: 2 });
  t.deepEqual(unread.at(-1), { unread: 2 });
  const after = await collect(author.client.notifications.iterate());
  t.deepEqual(
    after.map((entry) => entry.read),
    [false, false, true, true],
  );
});

test('back after more was missed than the inbox keeps: resync, then live events again', async (t) => {
  const server = await startLoopbackPlaza({
    databaseUrl: temporaryDatabase(t),
    plaza: { inbox: { keep: 3 } },
  });
  t.teardown(() => server.stop());
  const author = await signedUpClient(t, server.url, {}, { reconnect: RECONNECT });
  const fans = await fansOf(t, server.url, 7);
  const postId = await newPost(author.client);
  const { events } = author.client;
  const liked = recordEvents(events, 'post.liked');
  const resyncs = recordEvents(events, 'resync');
  await events.connect();
  await fans[0]!.client.likes.like(postId);
  await eventually('the first like', () => (liked.length === 1 ? true : undefined));

  events.close();
  for (const fan of fans.slice(1, 6)) await fan.client.likes.like(postId);
  await events.connect();
  await eventually('a resync', () => (resyncs.length === 1 ? true : undefined));
  const newest = (await author.client.notifications.list()).notifications[0]!;
  t.deepEqual(resyncs, [{ last_id: newest.id }]);
  t.is(liked.length, 1, 'what was pruned is not replayed');

  await fans[6]!.client.likes.like(postId);
  await eventually('the next like', () => (liked.length === 2 ? true : undefined));
  t.like(liked[1], { by_user_id: fans[6]!.session.user_id, likes: 7 });
  t.true(liked[1]!.id > newest.id);
});
