/**
 * Resuming across instances on one PostgreSQL: an SDK client watches its likes through
 * instance A while instance C keeps publishing them; A is killed (SIGKILL) under the socket,
 * the client resumes on B, and later B's socket alone is cut. Every like must reach the app
 * once, in the order the likes committed, and the server must not send one twice either.
 *
 * Serial: it runs three servers and PostgreSQL, which is what two cores can carry.
 */
import test from 'ava';
import { WebSocket } from 'ws';
import { createClient } from '@plaza/client-sdk';
import { freshDatabaseUrl, testPostgresUrl } from '@plaza/testkit';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import { eventually } from '../support/eventually.js';
import { inLanes, startInstances, type Instance } from './support/instances.js';

const LIKES = 90;
const NAMES = ['A', 'B', 'C'] as const;

test('a client resumes on another instance after its own was killed: every like once, in order', async (t) => {
  if (testPostgresUrl() === undefined) {
    throw new Error('the scale-out tests need PostgreSQL: run them with `npm run test:pg`');
  }
  const databaseUrl = freshDatabaseUrl();
  const [a, b, c] = (await startInstances(
    t,
    NAMES.map((name) => ({ name, env: { DATABASE_URL: databaseUrl, SCRYPT_LOG_N: '10' } })),
  )) as [Instance, Instance, Instance];

  const author = await signUp(b.api);
  const postId = await createPost(b.api, author.token);
  const fans: SignedUpUser[] = await inLanes(LIKES, 4, () => signUp(c.api));

  // The client's sockets go to whichever instance is `watched` when they open, as behind a
  // load balancer; every frame they receive is counted, before the SDK sees it.
  let watched = a;
  const sockets: WebSocket[] = [];
  const framedIds: number[] = [];
  class Routed extends WebSocket {
    constructor(url: string) {
      super(url.replace(new URL(a.url).host, new URL(watched.url).host));
      sockets.push(this);
      this.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString('utf8')) as { type: string; id?: number };
        if (frame.type === 'post.liked' && frame.id !== undefined) framedIds.push(frame.id);
      });
    }
  }
  const client = createClient(a.url, {
    token: author.token,
    WebSocket: Routed,
    reconnect: { baseDelayMs: 50, maxDelayMs: 400 },
  });
  t.teardown(() => client.events.close());
  const heard: Array<{ id: number; by_user_id: number; likes: number }> = [];
  client.events.on('post.liked', (event) => heard.push(event));
  const readies: number[] = [];
  client.events.on('ready', () => readies.push(sockets.length));
  await client.events.connect();

  // C publishes every like, a few at once; A dies a third of the way, B's socket two thirds.
  let published = 0;
  const liking = inLanes(LIKES, 3, async (index) => {
    const answer = await c.api.post(
      '/post/like',
      { post_id: postId },
      { token: fans[index]!.token },
    );
    if (answer.status !== 200) throw new Error(`like ${index}: ${answer.status} ${answer.text}`);
    published += 1;
    if (published === LIKES / 3) {
      watched = b;
      a.run.child.kill('SIGKILL');
    } else if (published === (2 * LIKES) / 3) {
      sockets.at(-1)?.terminate();
    }
  });
  await liking;
  await eventually('every like heard', () => (heard.length >= LIKES ? true : undefined), 60_000);
  await new Promise((resolve) => setTimeout(resolve, 500));

  const ids = heard.map((event) => event.id);
  const duplicates = ids.length - new Set(ids).size;
  const framedDuplicates = framedIds.length - new Set(framedIds).size;
  const missing = fans.filter((fan) => !heard.some((event) => event.by_user_id === fan.userId));
  t.log(
    `likes published: ${published}, received: ${heard.length}, duplicates: ${duplicates} ` +
      `(frames from the servers: ${framedIds.length}, repeated: ${framedDuplicates}), ` +
      `missing: ${missing.length}; sockets opened: ${sockets.length}, ready ${readies.length} times`,
  );
  t.is(published, LIKES);
  t.is(heard.length, LIKES, 'every like once');
  t.is(duplicates, 0);
  t.is(framedDuplicates, 0, 'no server sent a like twice');
  t.deepEqual(missing, []);
  t.deepEqual(
    ids,
    [...ids].sort((x, y) => x - y),
    'in inbox order',
  );
  t.deepEqual(
    heard.map((event) => event.likes),
    fans.map((_, index) => index + 1),
    'the order the likes committed in: each left a count one above the last',
  );
  t.true(readies.length >= 3, 'connected to A, then B after the kill, then B again');
  t.not(a.run.child.signalCode, null, 'A was killed');
});
