import type { Knex } from 'knex';
import { dialectOf, schemaOf } from './createKnex.js';
import { isDatabaseBusy, isUniqueViolation } from './dbErrors.js';
import { migrationSource } from './migrationSource.js';
import { migrationTables } from './migrationTables.js';
import { moveLegacyMigrations } from './moveLegacyMigrations.js';
import { refuseForeignTables } from './plazaTables.js';

export interface MigrationOutcome {
  /** Migrations whose records an earlier Plaza kept in `knex_migrations`, moved now. */
  readonly moved: string[];
  /** Migrations run now. */
  readonly applied: string[];
}

/**
 * Brings the schema up to date; safe to run at every start.
 *
 * @example const { applied } = await migrateToLatest(db)
 */
export async function migrateToLatest(db: Knex, waitForLockMs = 60_000): Promise<MigrationOutcome> {
  const giveUpAt = Date.now() + waitForLockMs;
  const moved = await retryingRaces(giveUpAt, async () => {
    if (dialectOf(db) === 'postgres' && schemaOf(db) !== 'public') {
      await db.raw('create schema if not exists ??', [schemaOf(db)]);
    }
    return moveLegacyMigrations(db);
  });
  await refuseForeignTables(db);
  const applied = await retryingRaces(giveUpAt, async () => {
    await keepOneLockRow(db);
    const [, names] = (await db.migrate.latest({
      migrationSource,
      ...migrationTables(db),
    })) as [number, string[]];
    return names;
  });
  return { moved, applied };
}

/**
 * Knex gives its migration lock table one row, inserted by the first process that finds it
 * empty; processes starting together can each insert one. With two rows its lock statement
 * counts two and reports "already locked" for ever, on every later start too. The extra rows
 * (never locked: the lock statement fails on them) go.
 */
async function keepOneLockRow(db: Knex): Promise<void> {
  const { tableName, schemaName } = migrationTables(db);
  const lockTable = `${tableName}_lock`;
  const builder = schemaName === undefined ? db.schema : db.schema.withSchema(schemaName);
  if (!(await builder.hasTable(lockTable))) return;
  const table = () =>
    schemaName === undefined ? db(lockTable) : db(lockTable).withSchema(schemaName);
  await table().where('index', '>', table().min('index')).delete();
}

async function retryingRaces<T>(giveUpAt: number, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await work();
    } catch (error) {
      // Processes starting together on one database race to create the schema and the
      // migrator's tables, then take turns on its lock; the others wait and find the
      // migrations applied. On SQLite a migration holds the write lock throughout, so the
      // others' statements (taking Knex's lock included, whose error wraps the driver's) can
      // also wait out the busy timeout first: a migration that takes longer, as on a loaded
      // machine, is no reason to fail.
      const message = String((error as { message?: unknown }).message);
      const raced =
        /already exists|already locked|duplicate key value|database is locked/i.test(message) ||
        isUniqueViolation(error) ||
        isDatabaseBusy(error);
      if (!raced || Date.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
}
