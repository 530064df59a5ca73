/**
 * An account deleted through one instance is refused by the others at once, however long
 * they cache token versions: they hear `user.deleted` over the PostgreSQL event bus.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createPlaza } from '@plaza/core';
import {
  FAST_SCRYPT,
  recordEvents,
  sharedDatabaseUrl,
  signedUpUser,
  waitUntil,
} from '@plaza/testkit';

test('a deletion through one instance makes the others refuse the tokens, whatever their cache time', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'plaza-account-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const url = sharedDatabaseUrl(dir);
  const a = await createPlaza({ databaseUrl: url, scrypt: FAST_SCRYPT });
  t.teardown(() => a.close());
  const b = await createPlaza({
    databaseUrl: url,
    scrypt: FAST_SCRYPT,
    tokenVersionCacheMs: 3_600_000,
  });
  t.teardown(() => b.close());
  const user = await signedUpUser(a);
  // Cached by b for an hour.
  t.is(await b.auth.verifyToken(user.token), user.id);
  const heard = recordEvents(b, 'user.deleted');

  await a.account.delete(user.id, { password: user.input.password });

  await waitUntil('b heard of the deletion', () => heard.events.length === 1);
  t.deepEqual(heard.events, [{ user_id: user.id }]);
  await t.throwsAsync(b.auth.verifyToken(user.token), { message: /token/i });
  await t.throwsAsync(a.auth.verifyToken(user.token), { message: /token/i });
});
