import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import test from 'ava';
import { signUp } from '../support/builders.js';
import { Api } from '../support/http.js';
import { enrichedProfile } from '../support/profiles.js';
import { startInProcessTarget } from '../support/apiTarget.js';
import { openAuthenticated, openAuthenticatedJson } from '../support/watchSocket.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Memory this thread holds after a full collection: JS objects and Buffers. */
function retainedBytes(): number {
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

const MiB = 1024 * 1024;
/** Far more than loopback's kernel buffers hold, so it must pile up somewhere if sent. */
const PUBLISHED_BYTES = 48 * MiB;

test('a reader that stops reading is cut off, and its backlog does not grow the server', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  const api = new Api(target.baseUrl);
  const slowUser = await signUp(api);
  const otherUser = await signUp(api);
  const slow = await openAuthenticatedJson(target.baseUrl, slowUser.token, slowUser.userId);
  const other = await openAuthenticated(target.baseUrl, otherUser.token, otherUser.userId);
  slow.socket.pause();

  const profile = enrichedProfile(slowUser.userId, { bio: 'b'.repeat(3000) });
  const frameBytes = JSON.stringify({ type: 'enrichment.completed', user_id: 1, profile }).length;
  const events = Math.ceil(PUBLISHED_BYTES / frameBytes);
  const before = retainedBytes();
  for (let sent = 0; sent < events; sent += 1) {
    await target.plaza.events.publish('enrichment.completed', {
      user_id: slowUser.userId,
      profile,
    });
    if (sent % 256 === 0) await nextTurn();
  }
  const grown = retainedBytes() - before;
  t.true(
    grown < 8 * MiB,
    `the server kept ${(grown / MiB).toFixed(1)} MiB after ${PUBLISHED_BYTES / MiB} MiB of events`,
  );
  t.regex(target.logs(), /"reason":"slow consumer"/);

  slow.socket.resume();
  t.is((await slow.closed()).code, 1006, 'terminated, not closed politely');
  t.true(slow.pending < events, `received ${slow.pending} of ${events} events`);

  await target.plaza.events.publish('enrichment.completed', {
    user_id: otherUser.userId,
    profile: enrichedProfile(otherUser.userId),
  });
  t.is(await other.next(), 'notice: socialuser data received', 'the others are served still');
});
