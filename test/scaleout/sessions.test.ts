/**
 * Sessions across instances on one PostgreSQL: an ended session is refused everywhere at once
 * (the event bus carries `auth.session_ended`, whatever the cache time), and concurrent
 * refreshes with one refresh token through several instances (several connections) let
 * exactly one through.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { createPlaza, isPlazaError, type Plaza } from '@plaza/core';
import {
  FAST_SCRYPT,
  recordEvents,
  sharedDatabaseUrl,
  signedUpUser,
  waitUntil,
} from '@plaza/testkit';

async function instances(t: ExecutionContext, count: number): Promise<Plaza[]> {
  const dir = await mkdtemp(join(tmpdir(), 'plaza-sessions-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const url = sharedDatabaseUrl(dir);
  const plazas: Plaza[] = [];
  for (let i = 0; i < count; i += 1) {
    // An hour of cache: only the bus can tell these instances of an end in time.
    const plaza = await createPlaza({
      databaseUrl: url,
      scrypt: FAST_SCRYPT,
      tokenVersionCacheMs: 3_600_000,
    });
    t.teardown(() => plaza.close());
    plazas.push(plaza);
  }
  return plazas;
}

const refused = (promise: Promise<unknown>): Promise<boolean> =>
  promise.then(
    () => false,
    (error: unknown) => isPlazaError(error) && error.code === 'AUT_01',
  );

test('a logout through one instance applies at once on another, whatever its cache time', async (t) => {
  const [a, b] = await instances(t, 2);
  if (a === undefined || b === undefined) throw new Error('two instances');
  const ada = await signedUpUser(a);
  const issued = await a.auth.login(ada.input);
  t.is(await b.auth.verifyToken(issued.token), ada.id, 'b holds the session as live');
  const heard = recordEvents(b, 'auth.session_ended');
  await a.auth.logout(ada.id, issued.sessionId);
  await waitUntil('b heard of the end', () => heard.events.length === 1);
  t.true(await refused(b.auth.verifyToken(issued.token)));
  t.deepEqual(heard.events, [{ user_id: ada.id, session_id: issued.sessionId }]);
});

test('a reused refresh token through one instance ends the session on another', async (t) => {
  const [a, b] = await instances(t, 2);
  if (a === undefined || b === undefined) throw new Error('two instances');
  const ada = await signedUpUser(a);
  const first = await a.auth.login(ada.input);
  const second = await b.auth.refresh({ refresh_token: first.refreshToken });
  t.is(await a.auth.verifyToken(second.token), ada.id);
  t.is(await b.auth.verifyToken(second.token), ada.id);
  const heard = recordEvents(a, 'auth.session_ended');
  t.true(await refused(b.auth.refresh({ refresh_token: first.refreshToken })));
  await waitUntil('a heard of the end', () => heard.events.length === 1);
  t.true(await refused(a.auth.verifyToken(second.token)));
  t.true(await refused(a.auth.refresh({ refresh_token: second.refreshToken })));
});

test('concurrent refreshes with one token through three instances: exactly one succeeds', async (t) => {
  const plazas = await instances(t, 3);
  const [a] = plazas;
  if (a === undefined) throw new Error('instances');
  for (let round = 0; round < 5; round += 1) {
    const ada = await signedUpUser(a);
    const issued = await a.auth.login(ada.input);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        plazas[i % plazas.length]!.auth.refresh({ refresh_token: issued.refreshToken }),
      ),
    );
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    t.is(won.length, 1, `round ${round}`);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        t.true(isPlazaError(outcome.reason) && outcome.reason.code === 'AUT_01');
      }
    }
    // The losers presented a used token: the session ended, the winner's tokens with it.
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<Plaza['auth']['refresh']>>>)
      .value;
    t.true(await refused(a.auth.refresh({ refresh_token: winner.refreshToken })));
    t.true(await refused(a.auth.verifyToken(winner.token)));
  }
});
