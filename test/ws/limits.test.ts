import test from 'ava';
import { DEFAULT_WEB_SOCKET_LIMITS, type WebSocketLimits } from '@plaza/server-koa';
import { signUp, type SignedUpUser } from '../support/builders.js';
import { Api } from '../support/http.js';
import { enrichedProfile } from '../support/profiles.js';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import {
  openAuthenticated,
  openWatchSocket,
  type WatchClient,
  type WatchClientOptions,
} from '../support/watchSocket.js';

const RECEIVED = 'notice: socialuser data received';

/**
 * Short enough to wait out, long enough that a socket authenticating at once beats it even on
 * a saturated machine (the round trip takes milliseconds there, rarely a few hundred).
 */
const AUTH_TIMEOUT_MS = 3000;
/**
 * Likewise for pings: a healthy peer in this process answers within two turns of the event
 * loop, far inside one interval however loaded the machine is.
 */
const PING_INTERVAL_MS = 1500;

/** One server per test, with the limits under test; stopped however the test ends. */
async function serverWith(
  t: { teardown: (fn: () => Promise<void>) => void },
  webSocket: Partial<WebSocketLimits>,
): Promise<{ target: InProcessTarget; user: () => Promise<SignedUpUser> }> {
  const target = await startInProcessTarget({}, { webSocket });
  t.teardown(() => target.close());
  const api = new Api(target.baseUrl);
  return { target, user: () => signUp(api) };
}

const open = (target: InProcessTarget, options?: WatchClientOptions): Promise<WatchClient> =>
  openWatchSocket(target.baseUrl, options);

const notify = (target: InProcessTarget, user: SignedUpUser): Promise<void> =>
  target.plaza.events.publish('enrichment.completed', {
    user_id: user.userId,
    profile: enrichedProfile(user.userId),
  });

test('a socket that does not authenticate in time is closed with 1008', async (t) => {
  const { target, user } = await serverWith(t, { authTimeoutMs: AUTH_TIMEOUT_MS });
  const ada = await user();
  const silent = await open(target);
  const chatty = await open(target);
  chatty.send('hello');
  t.is(await chatty.next(), 'error: syntax');
  const authenticated = await openAuthenticated(target.baseUrl, ada.token, ada.userId);

  t.deepEqual(await silent.closed(), { code: 1008, reason: 'authentication timeout' });
  t.deepEqual(await chatty.closed(), { code: 1008, reason: 'authentication timeout' });
  await notify(target, ada);
  t.is(await authenticated.next(), RECEIVED, 'an authenticated socket stays');
});

test('a failed re-authentication starts the authentication clock again', async (t) => {
  const { target, user } = await serverWith(t, { authTimeoutMs: AUTH_TIMEOUT_MS });
  const ada = await user();
  const watch = await openAuthenticated(target.baseUrl, ada.token, ada.userId);
  // A full timeout passes while authenticated: the first timer was stopped.
  const witness = await open(target);
  t.is((await witness.closed()).code, 1008);
  await notify(target, ada);
  t.is(await watch.next(), RECEIVED);

  watch.send('/auth garbage');
  t.is(await watch.next(), 'error: cannot authenticate');
  t.deepEqual(await watch.closed(), { code: 1008, reason: 'authentication timeout' });
});

test('frames up to 4096 bytes are read; a 5 KiB frame closes the socket with 1009', async (t) => {
  const { target } = await serverWith(t, {});
  const watch = await open(target);
  watch.send('x'.repeat(4096));
  t.is(await watch.next(), 'error: syntax', 'read, and not a command');
  watch.send('x'.repeat(5 * 1024));
  t.is((await watch.closed()).code, 1009);
});

test('maxFrameBytes is configurable', async (t) => {
  const { target } = await serverWith(t, { maxFrameBytes: 1024 });
  const watch = await open(target);
  watch.send(`/auth ${'x'.repeat(1024)}`);
  t.is((await watch.closed()).code, 1009);
});

test('a peer that does not answer pings is dropped; one that does stays', async (t) => {
  const { target, user } = await serverWith(t, { pingIntervalMs: PING_INTERVAL_MS });
  const ada = await user();
  const healthy = await openAuthenticated(target.baseUrl, ada.token, ada.userId);
  const deaf = await open(target, { client: { autoPong: false } });

  const { code } = await deaf.closed();
  t.is(code, 1006, 'cut off without a closing handshake');
  t.true(deaf.pings >= 1, 'it was pinged first');

  await healthy.pinged(healthy.pings + 3);
  await notify(target, ada);
  t.is(await healthy.next(), RECEIVED);
});

test('a user may hold maxSocketsPerUser authenticated sockets; one more is closed with 1008', async (t) => {
  const { target, user } = await serverWith(t, { maxSocketsPerUser: 2 });
  const ada = await user();
  const bob = await user();
  const first = await openAuthenticated(target.baseUrl, ada.token, ada.userId);
  const second = await openAuthenticated(target.baseUrl, ada.token, ada.userId);

  second.send(`/auth ${ada.token}`);
  t.is(await second.next(), `ok: user_id=${ada.userId}`, 're-authenticating does not count twice');

  const third = await open(target);
  third.send(`/auth ${ada.token}`);
  t.deepEqual(await third.closed(), { code: 1008, reason: 'too many sockets for this user' });
  t.is(third.pending, 0, 'no ok: before the close');

  const bobs = await openAuthenticated(target.baseUrl, bob.token, bob.userId);
  await notify(target, bob);
  t.is(await bobs.next(), RECEIVED, 'other users are not affected');

  first.close();
  await first.closed();
  const again = await openAuthenticated(target.baseUrl, ada.token, ada.userId);
  await notify(target, ada);
  t.is(await second.next(), RECEIVED);
  t.is(await again.next(), RECEIVED);
});

/** Junk sent as fast as the client can, until the server closes the socket or this many went. */
const FLOOD_LIMIT = 200_000;

/** Sends `frame` (or pings) in batches as fast as the socket takes them, while it is open. */
async function flood(client: WatchClient, send: () => void): Promise<number> {
  let sent = 0;
  while (client.socket.readyState === client.socket.OPEN && sent < FLOOD_LIMIT) {
    for (let index = 0; index < 100; index += 1) send();
    sent += 100;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return sent;
}

test("a socket flooding junk is closed with 1008 within its burst; another user's socket keeps its events", async (t) => {
  const { target, user } = await serverWith(t, {});
  const [ada, bob] = await Promise.all([user(), user()]);
  const bobs = await openAuthenticated(target.baseUrl, bob.token, bob.userId);
  const flooder = await openAuthenticated(target.baseUrl, ada.token, ada.userId);

  const flooding = flood(flooder, () => flooder.send('junk'));
  await notify(target, bob);
  t.is(await bobs.next(), RECEIVED, 'events reach other users during the flood');
  t.deepEqual(await flooder.closed(), { code: 1008, reason: 'too many messages' });
  const sent = await flooding;
  const answered = flooder.pending;
  t.log(`${sent} messages sent before the close; ${answered} answered`);
  // The burst, and a second's refill for a busy machine: the flood all arrives at once.
  const { messageBurst, messagesPerSecond } = DEFAULT_WEB_SOCKET_LIMITS;
  t.true(answered <= messageBurst + messagesPerSecond, `${answered} answered`);
  t.regex(target.logs(), /"msg":"user-watch socket closed: too many messages"/);

  await notify(target, bob);
  t.is(await bobs.next(), RECEIVED, 'and after it');
});

test('a socket flooding pings is closed with 1008 too', async (t) => {
  const { target, user } = await serverWith(t, {});
  const ada = await user();
  const flooder = await openAuthenticated(target.baseUrl, ada.token, ada.userId);

  await flood(flooder, () => flooder.socket.ping());
  t.deepEqual(await flooder.closed(), { code: 1008, reason: 'too many messages' });
});

test('messagesPerSecond and messageBurst are configurable; messages within them are answered', async (t) => {
  const { target } = await serverWith(t, { messagesPerSecond: 1, messageBurst: 3 });
  const socket = await open(target);
  // Sent together, so that no second passes between them to refill the allowance.
  for (let index = 0; index < 5; index += 1) socket.send('junk');
  t.deepEqual(await socket.closed(), { code: 1008, reason: 'too many messages' });
  t.is(socket.pending, 3, 'the burst is answered, the messages past it are not');
  for (let index = 0; index < 3; index += 1) t.is(await socket.next(), 'error: syntax');
});
