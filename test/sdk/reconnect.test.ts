import test from 'ava';
import { eventually } from '../support/eventually.js';
import { signedUpClient } from './support/clients.js';
import { nextEvent, recordEvents, withoutId } from './support/liveEvents.js';
import { recordingWebSocket } from './support/recordingWebSocket.js';
import { startLoopbackPlaza, temporaryDatabase } from './support/loopbackPlaza.js';

/**
 * The server goes away under an open connection and comes back on the same port with the same
 * database and secret: the client retries with growing waits, signs in again, and hears
 * events again, without the application doing anything.
 */

const RECONNECT = { baseDelayMs: 20, maxDelayMs: 300 };

test('a restarted server: disconnected, backoff, ready again, events again', async (t) => {
  const databaseUrl = temporaryDatabase(t);
  let server = await startLoopbackPlaza({ databaseUrl });
  t.teardown(() => server.stop());
  const author = await signedUpClient(t, server.url, {}, { reconnect: RECONNECT });
  const liker = await signedUpClient(t, server.url);
  const { post_id } = await author.client.posts.create({ title: 'Still here?', text: '.' });
  const { events } = author.client;
  const readies = recordEvents(events, 'ready');
  const drops = recordEvents(events, 'disconnected');
  await events.connect();

  await server.stop();
  // Down long enough for a few failed attempts, each waiting longer than the last.
  await eventually('four disconnected events', () => (drops.length >= 4 ? true : undefined));
  t.is(events.state, 'reconnecting');
  const readyAgain = nextEvent(events, 'ready');
  server = await startLoopbackPlaza({ databaseUrl, port: server.port });

  t.deepEqual(await readyAgain, { user_id: author.session.user_id });
  t.is(events.state, 'open');
  t.deepEqual(readies, [{ user_id: author.session.user_id }, { user_id: author.session.user_id }]);
  t.is(drops[0]?.code, 1001, 'the server said it was going away');
  drops.forEach((drop, attempt) => {
    const ceiling = Math.min(RECONNECT.maxDelayMs, RECONNECT.baseDelayMs * 2 ** attempt);
    t.true(
      drop.retryInMs !== undefined && drop.retryInMs >= ceiling / 2 && drop.retryInMs <= ceiling,
      `attempt ${attempt}: ${drop.retryInMs} ms, expected ${ceiling / 2}..${ceiling}`,
    );
  });

  const liked = nextEvent(events, 'post.liked');
  await liker.client.likes.like(post_id);
  t.deepEqual(withoutId(await liked), { post_id, by_user_id: liker.session.user_id, likes: 1 });
});

test('after a reconnect the backoff starts again from the first delay', async (t) => {
  const databaseUrl = temporaryDatabase(t);
  let server = await startLoopbackPlaza({ databaseUrl });
  t.teardown(() => server.stop());
  const { client, session } = await signedUpClient(t, server.url, {}, { reconnect: RECONNECT });
  const drops = recordEvents(client.events, 'disconnected');
  await client.events.connect();

  for (let round = 0; round < 2; round += 1) {
    const dropsBefore = drops.length;
    await server.stop();
    await eventually('three failed attempts', () =>
      drops.length >= dropsBefore + 3 ? true : undefined,
    );
    const ready = nextEvent(client.events, 'ready');
    server = await startLoopbackPlaza({ databaseUrl, port: server.port });
    t.is((await ready).user_id, session.user_id);
    const first = drops[dropsBefore]!;
    t.is(first.code, 1001);
    t.true(first.retryInMs! <= RECONNECT.baseDelayMs, `round ${round}: ${first.retryInMs} ms`);
  }
});

/** Timers fire in order of their deadlines: once this one has, any retry scheduled before has. */
const pastAnyScheduledRetry = (): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, RECONNECT.maxDelayMs + 1));

test('close() while reconnecting stops the attempts', async (t) => {
  const server = await startLoopbackPlaza({ databaseUrl: temporaryDatabase(t) });
  t.teardown(() => server.stop());
  const sockets = recordingWebSocket();
  const { client } = await signedUpClient(
    t,
    server.url,
    {},
    { reconnect: RECONNECT, WebSocket: sockets.WebSocket },
  );
  const drops = recordEvents(client.events, 'disconnected');
  await client.events.connect();
  await server.stop();
  await eventually('a failed attempt', () => (drops.length >= 2 ? true : undefined));
  t.is(client.events.state, 'reconnecting');

  client.events.close();
  const made = sockets.made.length;
  await pastAnyScheduledRetry();
  t.is(sockets.made.length, made, 'no new socket after close()');
  t.is(client.events.state, 'closed');
});

test('close() from a disconnected listener stops the attempts', async (t) => {
  const server = await startLoopbackPlaza({ databaseUrl: temporaryDatabase(t) });
  t.teardown(() => server.stop());
  const sockets = recordingWebSocket();
  const { client } = await signedUpClient(
    t,
    server.url,
    {},
    { reconnect: RECONNECT, WebSocket: sockets.WebSocket },
  );
  await client.events.connect();
  const dropped = nextEvent(client.events, 'disconnected');
  client.events.on('disconnected', () => client.events.close());
  await server.stop();
  await dropped;

  await pastAnyScheduledRetry();
  t.is(sockets.made.length, 1, 'no new socket after close()');
  t.is(client.events.state, 'closed');
});
