import type { Knex } from 'knex';
import type { Logger } from '../../logger.js';
import { databaseSourceOf } from './databaseSource.js';
import { openPlazaDatabase } from './startDatabase.js';

/** Where `migratePlaza` runs Plaza's migrations. */
export interface MigratePlazaOptions {
  /** PostgreSQL: the schema Plaza's tables live in, as given to `createPlaza` (default `public`). */
  readonly schema?: string;
  /** Where knex's own warnings go (at debug level). */
  readonly logger?: Logger;
}

/**
 * Runs Plaza's migrations on a host app's database, from the host's own migration step, for
 * a Plaza started with `createPlaza({ knex, migrate: false })`. Plaza records them in its own
 * `plaza_migrations` table (and `plaza_migrations_lock`), so the host's `knex_migrations`
 * stays the host's; safe to run at every deploy, and beside running instances.
 *
 * @returns the names of the migrations run now
 * @example await knex.migrate.latest(); await migratePlaza(knex, { schema: 'social' })
 */
export async function migratePlaza(
  knex: Knex,
  options: MigratePlazaOptions = {},
): Promise<{ readonly applied: readonly string[] }> {
  const started = await openPlazaDatabase(databaseSourceOf({ knex, schema: options.schema }), {
    busyTimeoutMs: 0,
    poolSize: 1,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  await started.release();
  return { applied: started.applied };
}
