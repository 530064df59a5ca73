import type { Knex } from 'knex';
import type { DatabaseLocation } from '../../config.js';
import { ACQUIRE_CONNECTION_TIMEOUT_MS, createKnex, type DatabaseOptions } from './createKnex.js';
import { assertDriverInstalled } from './databaseDrivers.js';
import { DatabaseUnavailable, reasonOf, withoutPassword } from './DatabaseUnavailable.js';
import { migrateToLatest, type MigrationOutcome } from './migrateToLatest.js';

/**
 * Opens the database, waits for its first answer and brings its schema up to date. A database
 * that cannot work stops the start with a DatabaseUnavailable saying what failed, rather than
 * with the driver's error object; a driver that is not installed, with one line naming it.
 *
 * @example const { db, applied } = await startDatabase(url, parseDatabaseUrl(url), { busyTimeoutMs: 5000 })
 */
export async function startDatabase(
  databaseUrl: string,
  location: DatabaseLocation,
  options: DatabaseOptions,
): Promise<{ readonly db: Knex } & MigrationOutcome> {
  const failed = (what: string, error: unknown): DatabaseUnavailable => {
    // Knex's own words for this ("the pool is probably full") mislead at start.
    const reason =
      error instanceof Error && error.name === 'KnexTimeoutError'
        ? `no connection within ${ACQUIRE_CONNECTION_TIMEOUT_MS / 1000} s`
        : reasonOf(error);
    return new DatabaseUnavailable(
      `${what} (DATABASE_URL ${withoutPassword(databaseUrl)}): ${reason}`,
      { cause: error },
    );
  };
  const cannotOpen =
    location.client === 'postgres' ? 'cannot connect to the database' : 'cannot open the database';
  assertDriverInstalled(databaseUrl, location);
  let db: Knex;
  try {
    db = createKnex(location, options);
  } catch (error) {
    throw failed(cannotOpen, error);
  }
  let opened = false;
  try {
    await db.raw('select 1');
    opened = true;
    return { db, ...(await migrateToLatest(db)) };
  } catch (error) {
    await db.destroy();
    throw failed(opened ? 'cannot bring the database schema up to date' : cannotOpen, error);
  }
}
