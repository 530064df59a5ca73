import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import knex, { type Knex } from 'knex';
import { createPlaza, type Plaza } from '../../createPlaza.js';
import type { PlazaOptions } from '../../config.js';
import { ConfigError } from '../../errors.js';
import {
  aPost,
  aUser,
  FAST_SCRYPT,
  nextEvent,
  openDatabase,
  sharedDatabaseUrl,
  temporaryDirectory,
  TEST_JWT_SECRET,
  testDialect,
  testPostgresUrl,
} from '@plaza/testkit';
import { dialectOf, schemaOf } from './createKnex.js';
import { DatabaseUnavailable } from './DatabaseUnavailable.js';
import { migratePlaza } from './migratePlaza.js';
import { migrationSource } from './migrationSource.js';

/**
 * A host app's own knex, as an app configures it: on SQLite a file with foreign keys on; on
 * PostgreSQL a search path of the app's own schema. `plazaSchema`: where Plaza is to go.
 */
interface Host {
  readonly knex: Knex;
  /** PostgreSQL: a schema of Plaza's own beside the host's; SQLite: none. */
  readonly plazaSchema: string | undefined;
  /** PostgreSQL: the host's own schema (Plaza given it has the host's tables under its names). */
  readonly hostSchema: string | undefined;
}

const random = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;

async function aHost(t: ExecutionContext, foreignKeys = true): Promise<Host> {
  const postgres = testPostgresUrl();
  if (postgres !== undefined) {
    const hostSchema = random('host');
    // Settings as an object here; the examples give a connection string.
    const db = knex({
      client: 'pg',
      connection: { connectionString: postgres },
      searchPath: [hostSchema],
    });
    t.teardown(() => db.destroy());
    await db.raw('create schema ??', [hostSchema]);
    return { knex: db, plazaSchema: random('social'), hostSchema };
  }
  const filename = join(await temporaryDirectory(t), 'shop.sqlite');
  const db = knex({
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      afterCreate: (
        connection: { run(sql: string, done: (error: Error | null) => void): void },
        done: (error: Error | null, connection: unknown) => void,
      ) =>
        foreignKeys
          ? connection.run('PRAGMA foreign_keys = ON', (error) => done(error, connection))
          : done(null, connection),
    },
  });
  t.teardown(() => db.destroy());
  return { knex: db, plazaSchema: undefined, hostSchema: undefined };
}

/** The host's own tables: `orders` everywhere, and `users` where Plaza has a schema of its own. */
async function hostTables(host: Host): Promise<void> {
  await host.knex.schema.createTable('orders', (table) => {
    table.increments('id');
    table.string('item');
  });
  await host.knex('orders').insert({ item: 'lamp' });
  if (host.plazaSchema !== undefined) await hostUsers(host.knex);
}

async function hostUsers(db: Knex): Promise<void> {
  await db.schema.createTable('users', (table) => {
    table.increments('id');
    table.string('name');
  });
  await db('users').insert({ name: 'shop owner' });
}

const plazaOptions = (host: Host, overrides: PlazaOptions = {}): PlazaOptions => ({
  knex: host.knex,
  ...(host.plazaSchema === undefined ? {} : { schema: host.plazaSchema }),
  jwtSecret: TEST_JWT_SECRET,
  scrypt: FAST_SCRYPT,
  ...overrides,
});

async function startPlaza(t: ExecutionContext, options: PlazaOptions): Promise<Plaza> {
  const plaza = await createPlaza(options);
  t.teardown(() => plaza.close());
  return plaza;
}

const migrateCommandFor = (host: Host): string =>
  host.plazaSchema === undefined
    ? 'await migratePlaza(knex)'
    : `await migratePlaza(knex, { schema: '${host.plazaSchema}' })`;

test('createPlaza refuses knex together with databaseUrl', async (t) => {
  const host = await aHost(t);
  await t.throwsAsync(createPlaza({ knex: host.knex, databaseUrl: 'sqlite::memory:' }), {
    instanceOf: ConfigError,
    message: /either databaseUrl or knex, not both/,
  });
});

test('createPlaza refuses a schema option beside a databaseUrl: it goes in the URL', async (t) => {
  await t.throwsAsync(createPlaza({ databaseUrl: 'sqlite::memory:', schema: 'social' }), {
    instanceOf: ConfigError,
    message: /put it in the URL: postgres:\/\/…\?schema=NAME/,
  });
});

test("Plaza runs on a host's knex beside the host's tables, and close() leaves the knex open", async (t) => {
  const host = await aHost(t);
  await hostTables(host);
  const plaza = await createPlaza(plazaOptions(host));

  const { user_id: author } = await plaza.users.signUp(aUser());
  const { user_id: reader } = await plaza.users.signUp(aUser());
  const { post_id } = await plaza.posts.create(author, aPost());
  await plaza.likes.like(reader, { post_id });
  t.is((await plaza.posts.read({ post_id })).likes, 1);
  await plaza.close();

  t.deepEqual(await host.knex('orders').select('item'), [{ item: 'lamp' }]);
  if (host.plazaSchema !== undefined) {
    t.deepEqual(await host.knex('users').select('name'), [{ name: 'shop owner' }]);
  }
  // Plaza's migrations are in its own table, not the host's knex_migrations.
  t.false(await host.knex.schema.hasTable('knex_migrations'));
});

test('with migrate: false, an unmigrated database is refused, naming what to run; after migratePlaza it starts', async (t) => {
  const host = await aHost(t);
  // The host's own knex migrations, in knex's default table.
  await host.knex.migrate.latest({
    migrationSource: {
      getMigrations: () => Promise.resolve(['20250101000000_orders']),
      getMigrationName: (name: string) => name,
      getMigration: () =>
        Promise.resolve({
          up: (db: Knex) => hostTables({ ...host, knex: db }),
          down: (db: Knex) => db.schema.dropTable('orders'),
        }),
    },
  });

  const refused = await t.throwsAsync(createPlaza(plazaOptions(host, { migrate: false })), {
    instanceOf: DatabaseUnavailable,
  });
  t.true(
    refused.message.includes(`migrate: false was given`) &&
      refused.message.includes(migrateCommandFor(host)),
    refused.message,
  );

  const { applied } = await migratePlaza(host.knex, {
    ...(host.plazaSchema === undefined ? {} : { schema: host.plazaSchema }),
  });
  t.deepEqual(applied, await migrationSource.getMigrations([]));
  t.deepEqual(
    (
      await migratePlaza(host.knex, {
        ...(host.plazaSchema === undefined ? {} : { schema: host.plazaSchema }),
      })
    ).applied,
    [],
    'a second run has nothing to do',
  );

  const plaza = await startPlaza(t, plazaOptions(host, { migrate: false }));
  const { user_id } = await plaza.users.signUp(aUser());
  t.is((await plaza.users.profile({ user_id })).user_id, user_id);
  t.deepEqual(
    (await host.knex('knex_migrations').select('name')).map((row: { name: string }) => row.name),
    ['20250101000000_orders'],
  );
});

test("a database whose users table is the host's is refused, and left as it was", async (t) => {
  const host = await aHost(t);
  await hostUsers(host.knex);
  // Plaza pointed at the host's own tables: its file on SQLite, its schema on PostgreSQL.
  const options = plazaOptions(host, {
    ...(host.hostSchema === undefined ? {} : { schema: host.hostSchema }),
  });
  const refused = await t.throwsAsync(createPlaza(options), { instanceOf: DatabaseUnavailable });
  t.regex(refused.message, /already has a table named users that Plaza did not create/);
  t.regex(refused.message, /give Plaza a database of its own: on SQLite another file/);
  t.deepEqual(await host.knex('users').select('id', 'name'), [{ id: 1, name: 'shop owner' }]);
  t.false(await host.knex.schema.hasTable('posts'), 'Plaza created none of its tables');
  t.false(await host.knex.schema.hasTable('plaza_migrations'));
});

test("a database URL whose users table is another app's is refused before Plaza creates anything", async (t) => {
  const databaseUrl = sharedDatabaseUrl(await temporaryDirectory(t));
  const other = openDatabase(databaseUrl);
  t.teardown(() => other.destroy());
  if (dialectOf(other) === 'postgres') await other.raw('create schema ??', [schemaOf(other)]);
  await hostUsers(other);
  const refused = await t.throwsAsync(
    createPlaza({ databaseUrl, jwtSecret: TEST_JWT_SECRET, scrypt: FAST_SCRYPT }),
    { instanceOf: DatabaseUnavailable },
  );
  t.regex(refused.message, /already has a table named users that Plaza did not create/);
  t.false(await other.schema.hasTable('plaza_migrations'), 'not even its migration tables');
  t.deepEqual(await other('users').select('id', 'name'), [{ id: 1, name: 'shop owner' }]);
});

if (testDialect() === 'sqlite') {
  test('a SQLite knex with foreign keys off is refused, saying how to turn them on', async (t) => {
    const host = await aHost(t, false);
    await t.throwsAsync(createPlaza(plazaOptions(host)), {
      instanceOf: ConfigError,
      message: /foreign keys off.*PRAGMA foreign_keys = ON/,
    });
  });

  test('a schema option with a SQLite knex is refused: SQLite takes a file of its own', async (t) => {
    const host = await aHost(t);
    await t.throwsAsync(createPlaza(plazaOptions(host, { schema: 'social' })), {
      instanceOf: ConfigError,
      message: /schema option is for PostgreSQL/,
    });
  });
}

if (testDialect() === 'postgres') {
  test("on PostgreSQL, events reach every instance on a host's knex", async (t) => {
    const host = await aHost(t);
    await hostTables(host);
    const one = await startPlaza(t, plazaOptions(host));
    const other = await startPlaza(t, plazaOptions(host));
    const { user_id } = await one.users.signUp(aUser());
    const { post_id } = await one.posts.create(user_id, aPost());
    const heard = nextEvent(other, 'post.liked', (event) => event.post_id === post_id);
    await one.likes.like(user_id, { post_id });
    t.like(await heard, { post_id, likes: 1 });
  });
}
