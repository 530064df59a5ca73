import test, { type ExecutionContext } from 'ava';
import type { Knex } from 'knex';
import { createPlaza, type Plaza } from '../../createPlaza.js';
import type { PlazaOptions } from '../../config.js';
import {
  aUser,
  databaseUrlIn,
  openDatabase,
  recordingLogger,
  temporaryDirectory,
  testOptions,
} from '@plaza/testkit';
import { dialectOf, schemaOf } from './createKnex.js';
import { migrationSource } from './migrationSource.js';

// A host app embedding Plaza, with knex migrations of its own in knex's default tables.
const ORDERS = '20250101000000_create_orders';
const INVOICES = '20250601000000_create_invoices';

function hostMigrations(...names: string[]): Knex.MigrationSource<string> {
  const tableOf = (name: string): string => name.replace(/^\d+_create_/, '');
  return {
    getMigrations: () => Promise.resolve(names),
    getMigrationName: (name) => name,
    getMigration: (name) =>
      Promise.resolve({
        up: (knex: Knex) => knex.schema.createTable(tableOf(name), (table) => table.increments()),
        down: (knex: Knex) => knex.schema.dropTable(tableOf(name)),
      }),
  };
}

const plazaMigrationNames = (): Promise<string[]> => migrationSource.getMigrations([]);

/** The host app's own connection to the database Plaza is to share (its schema, on PostgreSQL). */
async function hostDatabase(t: ExecutionContext, databaseUrl: string): Promise<Knex> {
  const db = openDatabase(databaseUrl);
  t.teardown(() => db.destroy());
  if (dialectOf(db) === 'postgres') await db.raw('create schema if not exists ??', [schemaOf(db)]);
  return db;
}

/** What Plaza before plaza_migrations left: its migrations recorded in knex's default tables. */
async function migrateAsEarlierPlaza(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource, tableName: 'knex_migrations' });
}

interface MigrationRow {
  readonly name: string;
  readonly batch: number;
  readonly migration_time: unknown;
}

const migrationRows = (db: Knex, table: string): Promise<MigrationRow[]> =>
  db(table).select('name', 'batch', 'migration_time').orderBy('id');

const namesIn = async (db: Knex, table: string): Promise<string[]> =>
  (await migrationRows(db, table)).map((row) => row.name);

async function startPlaza(t: ExecutionContext, options: PlazaOptions): Promise<Plaza> {
  const plaza = await createPlaza(testOptions(options));
  t.teardown(() => plaza.close());
  return plaza;
}

/** Two instances started at the same moment; both must start. */
async function startAtOnce(
  t: ExecutionContext,
  options: PlazaOptions,
  instances = 2,
): Promise<void> {
  const started = await Promise.allSettled(
    Array.from({ length: instances }, () => createPlaza(testOptions(options))),
  );
  for (const outcome of started) {
    if (outcome.status === 'fulfilled') t.teardown(() => outcome.value.close());
  }
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

async function insertUserAndPost(db: Knex): Promise<{ userId: number; postId: number }> {
  const now = new Date().toISOString();
  const [user] = await db('users')
    .insert({
      username: 'ada',
      username_key: 'ada',
      email: 'ada@example.com',
      email_verdict: 'deliverable',
      password_hash: 'not-a-real-hash',
      created_at: now,
      updated_at: now,
    })
    .returning<Array<{ id: number }>>('id');
  const userId = Number(user?.id);
  const [post] = await db('posts')
    .insert({
      author_id: userId,
      title: 'kept',
      text: 'from before',
      posted_at: now,
      edited_at: now,
    })
    .returning<Array<{ id: number }>>('id');
  return { userId, postId: Number(post?.id) };
}

const migrationMessages = (calls: ReadonlyArray<{ message: string | undefined }>): string[] =>
  calls.flatMap(({ message }) =>
    message !== undefined && /migrat/.test(message) ? [message] : [],
  );

/** The host's knex sees exactly its own migrations, all applied, and finds nothing corrupt. */
async function assertHostMigrationsIntact(
  t: ExecutionContext,
  host: Knex,
  hostNames: string[],
): Promise<void> {
  const source = hostMigrations(...hostNames);
  await t.notThrowsAsync(host.migrate.latest({ migrationSource: source }));
  t.is(await host.migrate.status({ migrationSource: source }), 0);
  const [completed, pending] = (await host.migrate.list({ migrationSource: source })) as [
    Array<{ name: string }>,
    unknown[],
  ];
  t.deepEqual(
    completed.map(({ name }) => name),
    hostNames,
  );
  t.deepEqual(pending, []);
}

test('Plaza starts beside a host app’s own knex migrations, and the host migrates on after it', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const host = await hostDatabase(t, databaseUrl);
  await host.migrate.latest({ migrationSource: hostMigrations(ORDERS) });

  const plaza = await startPlaza(t, { databaseUrl });

  await t.notThrowsAsync(plaza.users.signUp(aUser()), 'Plaza’s tables are there');
  t.deepEqual(await namesIn(host, 'plaza_migrations'), await plazaMigrationNames());
  const [, applied] = (await host.migrate.latest({
    migrationSource: hostMigrations(ORDERS, INVOICES),
  })) as [number, string[]];
  t.deepEqual(applied, [INVOICES], 'the host’s next release migrates');
  await assertHostMigrationsIntact(t, host, [ORDERS, INVOICES]);
});

test('an earlier Plaza’s database moves its records to plaza_migrations at the next start, data intact', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const db = await hostDatabase(t, databaseUrl);
  await migrateAsEarlierPlaza(db);
  const recorded = await migrationRows(db, 'knex_migrations');
  const { userId, postId } = await insertUserAndPost(db);

  const first = recordingLogger();
  const plaza = await startPlaza(t, { databaseUrl, logger: first.logger });

  t.deepEqual(
    await migrationRows(db, 'plaza_migrations'),
    recorded,
    'the same rows, batches, times',
  );
  t.deepEqual(await migrationRows(db, 'knex_migrations'), []);
  t.deepEqual(
    migrationMessages(first.calls),
    ['migration records moved from knex_migrations to plaza_migrations'],
    'moved, and no migration ran again',
  );
  t.like(await plaza.users.profile({ user_id: userId }), { username: 'ada' });
  t.like(await plaza.posts.read({ post_id: postId }), { title: 'kept', text: 'from before' });
  await plaza.close();

  const second = recordingLogger();
  await startPlaza(t, { databaseUrl, logger: second.logger });
  t.deepEqual(migrationMessages(second.calls), [], 'the next start has nothing to do');
  t.deepEqual(await migrationRows(db, 'plaza_migrations'), recorded);
});

test('an earlier Plaza’s records leave a knex_migrations it shared with its host; the host’s stay', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const host = await hostDatabase(t, databaseUrl);
  await migrateAsEarlierPlaza(host);
  // What the host met before: knex calls its own folder corrupt for lack of Plaza's files,
  // so it could only migrate with knex's check turned off.
  const error = await t.throwsAsync(
    host.migrate.latest({ migrationSource: hostMigrations(ORDERS) }),
  );
  t.regex(error.message, /corrupt, the following files are missing: 20261129000000_initial,/);
  await host.migrate.latest({
    migrationSource: hostMigrations(ORDERS),
    disableMigrationsListValidation: true,
  });

  await startPlaza(t, { databaseUrl });

  t.deepEqual(await namesIn(host, 'plaza_migrations'), await plazaMigrationNames());
  t.deepEqual(await namesIn(host, 'knex_migrations'), [ORDERS]);
  await assertHostMigrationsIntact(t, host, [ORDERS, INVOICES]);
});

test('two instances starting at once on a new database both start', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));

  await startAtOnce(t, { databaseUrl });

  const db = await hostDatabase(t, databaseUrl);
  t.deepEqual(await namesIn(db, 'plaza_migrations'), await plazaMigrationNames());
});

// The tables of an instance still migrating appear to the others between their looks at the
// migration records and at the tables; none may take them for another app's.
test('six instances starting at once on a new database all start, five times over', async (t) => {
  for (let round = 0; round < 5; round += 1) {
    const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
    await startAtOnce(t, { databaseUrl }, 6);
    const db = await hostDatabase(t, databaseUrl);
    t.deepEqual(await namesIn(db, 'plaza_migrations'), await plazaMigrationNames());
  }
});

test('two instances starting at once on an earlier Plaza’s database shared with its host move it once', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const host = await hostDatabase(t, databaseUrl);
  await migrateAsEarlierPlaza(host);
  await host.migrate.latest({
    migrationSource: hostMigrations(ORDERS),
    disableMigrationsListValidation: true,
  });

  await startAtOnce(t, { databaseUrl });

  t.deepEqual(await namesIn(host, 'plaza_migrations'), await plazaMigrationNames());
  t.deepEqual(await namesIn(host, 'knex_migrations'), [ORDERS]);
});
