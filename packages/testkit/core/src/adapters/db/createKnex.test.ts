import { join } from 'node:path';
import test from 'ava';
import { migratedDatabase, temporaryDirectory, waitUntil } from '@plaza/testkit';
import { createKnex, DatabaseQueueFull } from './createKnex.js';
import { isDatabaseBusy } from './dbErrors.js';
import { migrateToLatest } from './migrateToLatest.js';

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

// Processes starting together on one SQLite file: one migrates, holding the write lock, and
// the others' statements wait out their busy timeout; on a loaded machine the migration
// takes longer than that, and the others must wait their turn rather than fail to start.
test('migrations wait for another connection that holds the SQLite write lock past the busy timeout', async (t) => {
  const file = join(await temporaryDirectory(t), 'plaza.sqlite');
  const holder = createKnex({ client: 'sqlite', filename: file }, { busyTimeoutMs: 100 });
  t.teardown(() => holder.destroy());
  const starting = createKnex({ client: 'sqlite', filename: file }, { busyTimeoutMs: 100 });
  t.teardown(() => starting.destroy());
  const gaveUpOnce = new Promise<void>((resolve) => starting.once('query-error', () => resolve()));

  const lock = await holder.transaction();
  await lock.raw('create table other_writer (id integer)');
  const migrated = migrateToLatest(starting);
  // Released only once a statement of the migration has waited out its busy timeout.
  await gaveUpOnce;
  await lock.commit();

  t.true((await migrated).applied.length > 0, 'the migrations were applied');
  t.true(await starting.schema.hasTable('users'));
});

// The pool is SQLite's one connection, so in both suites.
test('past the queue limit a query is refused at once as busy, and the queued ones still run', async (t) => {
  const db = createKnex(
    { client: 'sqlite', filename: ':memory:' },
    { busyTimeoutMs: 1000, queueLimit: 2 },
  );
  t.teardown(() => db.destroy());
  const pool = (db.client as { pool: { numPendingAcquires(): number } }).pool;
  // Holds the one connection until committed.
  const holder = await db.transaction();
  const queued = [
    Promise.resolve(db.raw('select 1 as one')),
    Promise.resolve(db.raw('select 2 as two')),
  ];
  await waitUntil('two queries waiting', () => pool.numPendingAcquires() === 2);

  // Refused while the connection is still held: it did not wait for it.
  const error = await t.throwsAsync(Promise.resolve(db.raw('select 3 as three')), {
    instanceOf: DatabaseQueueFull,
  });
  t.true(isDatabaseBusy(error));
  t.is(pool.numPendingAcquires(), 2);

  await holder.commit();
  t.deepEqual(await Promise.all(queued), [[{ one: 1 }], [{ two: 2 }]]);
  t.deepEqual(await db.raw('select 4 as four'), [{ four: 4 }]);
});
