import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { dialectOf } from './createKnex.js';
import { migrationSource } from './migrationSource.js';
import { KNEX_MIGRATIONS, migrationTables, PLAZA_MIGRATIONS } from './migrationTables.js';

interface MigrationRecord {
  readonly name: string;
  readonly batch: number;
  readonly migration_time: unknown;
}

/**
 * Moves an earlier Plaza's migration records from `knex_migrations` to `plaza_migrations`,
 * once: when `plaza_migrations` does not exist yet. Only Plaza's rows move, by name; a host
 * app's rows stay. Plaza's rows must leave, or the host's knex takes them for files missing
 * from its folder and refuses to migrate ("The migration directory is corrupt"). The emptied
 * `knex_migrations` and its lock table stay too: whether a host uses them cannot be told.
 *
 * @returns the names of the migrations whose records moved
 * @example const moved = await moveLegacyMigrations(db)
 */
export async function moveLegacyMigrations(db: Knex): Promise<string[]> {
  const { schemaName } = migrationTables(db);
  const schema = (on: Knex): Knex.SchemaBuilder =>
    schemaName === undefined ? on.schema : on.schema.withSchema(schemaName);
  const table = (on: Knex, name: string): Knex.QueryBuilder =>
    schemaName === undefined ? on(name) : on(name).withSchema(schemaName);

  const pending =
    (await schema(db).hasTable(KNEX_MIGRATIONS)) && !(await schema(db).hasTable(PLAZA_MIGRATIONS));
  if (!pending) return [];
  const names = await migrationSource.getMigrations([]);
  return db.transaction(async (trx) => {
    await waitForOtherInstances(trx, schemaName);
    if (await schema(trx).hasTable(PLAZA_MIGRATIONS)) return [];
    const records: MigrationRecord[] = await table(trx, KNEX_MIGRATIONS)
      .whereIn('name', names)
      .orderBy('id')
      .select('name', 'batch', 'migration_time');
    if (records.length === 0) return [];
    await createMigrationTables(() => schema(trx));
    await table(trx, `${PLAZA_MIGRATIONS}_lock`).insert({ is_locked: 0 });
    await table(trx, PLAZA_MIGRATIONS).insert(records);
    await table(trx, KNEX_MIGRATIONS).whereIn('name', names).delete();
    return records.map((record) => record.name);
  });
}

/** Takes the lock that makes a second instance starting at once wait for this move to end. */
async function waitForOtherInstances(
  trx: Knex.Transaction,
  schemaName: string | undefined,
): Promise<void> {
  if (dialectOf(trx) === 'postgres') {
    const key = createHash('sha256').update(`${PLAZA_MIGRATIONS} ${schemaName ?? ''}`);
    await trx.raw('select pg_advisory_xact_lock(?::bigint)', [
      key.digest().readBigInt64BE().toString(),
    ]);
    return;
  }
  // SQLite gives its write lock to the first statement that writes, and a transaction that
  // read before another committed can no longer write (SQLITE_BUSY_SNAPSHOT, at once). So
  // write first, nothing at all: a second process then waits here, within its busy timeout.
  await trx(KNEX_MIGRATIONS).whereRaw('0 = 1').delete();
}

/** The two tables as knex's migrator creates them, so that it finds them ready. */
async function createMigrationTables(schema: () => Knex.SchemaBuilder): Promise<void> {
  await schema().createTable(PLAZA_MIGRATIONS, (table) => {
    table.increments();
    table.string('name');
    table.integer('batch');
    table.timestamp('migration_time');
  });
  await schema().createTable(`${PLAZA_MIGRATIONS}_lock`, (table) => {
    table.increments('index').primary();
    table.integer('is_locked');
  });
}
