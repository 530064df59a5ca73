import test from 'ava';
import { migratedDatabase } from '../../testing/testDatabase.js';
import { createKnex } from './createKnex.js';

test('database errors name the SQL but never the values bound to it', async (t) => {
  const db = await migratedDatabase(t);
  const secretValue = 'scrypt-hash-that-must-not-reach-a-log';
  const error = await t.throwsAsync(
    db('users').insert({ username: 'ada', username_key: 'ada', password_hash: secretValue }),
  );
  t.regex(error.message, /insert into [`"]users[`"]/);
  t.false(error.message.includes(secretValue));
});

// SQLite's own settings, so on SQLite in both suites.
test('SQLite runs with foreign keys on and the busy timeout set', async (t) => {
  const db = createKnex({ client: 'sqlite', filename: ':memory:' }, { busyTimeoutMs: 1234 });
  t.teardown(() => db.destroy());
  t.deepEqual(await db.raw('PRAGMA foreign_keys'), [{ foreign_keys: 1 }]);
  t.deepEqual(await db.raw('PRAGMA busy_timeout'), [{ timeout: 1234 }]);
});
