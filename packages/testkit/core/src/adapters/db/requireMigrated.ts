import type { Knex } from 'knex';
import { migrationSource } from './migrationSource.js';
import { PLAZA_MIGRATIONS } from './migrationTables.js';
import { recordedMigrations, refuseForeignTables } from './plazaTables.js';

/** Plaza's schema is behind: `migrate: false` was given and its migrations were not run. */
export class MigrationsPending extends Error {
  override readonly name = 'MigrationsPending';
}

/**
 * With `migrate: false`, the host app runs Plaza's migrations: refuses to start on a database
 * they have not brought up to date, saying what to run.
 *
 * @example await requireMigrated(db, 'await migratePlaza(knex)')
 */
export async function requireMigrated(db: Knex, migrateCommand: string): Promise<void> {
  await refuseForeignTables(db);
  const recorded = new Set(await recordedMigrations(db, [PLAZA_MIGRATIONS]));
  const pending = (await migrationSource.getMigrations([])).filter((name) => !recorded.has(name));
  if (pending.length === 0) return;
  const count = pending.length === 1 ? '1 migration has' : `${pending.length} migrations have`;
  throw new MigrationsPending(
    `Plaza's schema is not up to date and migrate: false was given (${count} not run, from ` +
      `${pending[0]}); run Plaza's migrations from your migration step first: ${migrateCommand}`,
  );
}
