import type { Knex } from 'knex';
import type { PostgresConnection } from './createKnex.js';
import type { DatabaseLocation } from '../../config.js';
import { ConfigError } from '../../errors.js';
import {
  ACQUIRE_CONNECTION_TIMEOUT_MS,
  createKnex,
  type DatabaseOptions,
  plazaConnection,
} from './createKnex.js';
import type { DatabaseSource } from './databaseSource.js';
import { assertDriverInstalled } from './databaseDrivers.js';
import { DatabaseUnavailable, reasonOf, withoutPassword } from './DatabaseUnavailable.js';
import { isDatabaseBusy } from './dbErrors.js';
import { plazaOnHostKnex, requireForeignKeys } from './hostKnex.js';
import { migrateToLatest, type MigrationOutcome } from './migrateToLatest.js';
import { requireMigrated } from './requireMigrated.js';

export interface StartOptions extends DatabaseOptions {
  /** false: the schema must be up to date already (the host app migrates); default true. */
  readonly migrate?: boolean;
}

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
  options: StartOptions,
): Promise<{ readonly db: Knex } & MigrationOutcome> {
  const failed = failure(`DATABASE_URL ${withoutPassword(databaseUrl)}`);
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
    await firstAnswer(db);
    opened = true;
    return { db, ...(await upToDate(db, options, 'npx plaza-server migrate')) };
  } catch (error) {
    await db.destroy();
    throw failed(opened ? 'cannot bring the database schema up to date' : cannotOpen, error);
  }
}

/** As long as a start waits for another instance's migration lock (migrateToLatest). */
const OPEN_WAIT_MS = 60_000;

/**
 * The database's first answer. Another instance starting on the same new SQLite file may hold
 * it locked past the busy timeout while it migrates: the open is tried again meanwhile.
 */
async function firstAnswer(db: Knex): Promise<void> {
  const giveUpAt = Date.now() + OPEN_WAIT_MS;
  for (;;) {
    try {
      await db.raw('select 1');
      return;
    } catch (error) {
      const locked =
        isDatabaseBusy(error) && !(error instanceof Error && error.name === 'KnexTimeoutError');
      if (!locked || Date.now() >= giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
}

/** The database Plaza runs on, opened, up to date, with what it takes to close it. */
export interface StartedDatabase extends MigrationOutcome {
  readonly db: Knex;
  /** PostgreSQL: the connection settings of Plaza's pool (its event listener uses them too). */
  readonly postgres?: { readonly connection: PostgresConnection; readonly schema: string };
  /**
   * Whether a generated JWT secret is kept in the database (PostgreSQL, or a host's knex)
   * rather than in a file beside the SQLite database.
   */
  readonly secretInDatabase: boolean;
  /** Closes what Plaza opened; a host app's knex stays open. */
  release(): Promise<void>;
}

/**
 * Opens the database a `databaseUrl` names, or takes the knex a host app gave, and brings
 * Plaza's schema up to date (or, with `migrate: false`, checks that it is).
 *
 * @example const started = await openPlazaDatabase(databaseSourceOf(options), { busyTimeoutMs: 5000 })
 */
export async function openPlazaDatabase(
  source: DatabaseSource,
  options: StartOptions,
): Promise<StartedDatabase> {
  if (source.kind === 'url') {
    const { location, databaseUrl } = source;
    const { db, moved, applied } = await startDatabase(databaseUrl, location, options);
    const postgres =
      location.client === 'postgres'
        ? {
            postgres: {
              connection: plazaConnection(location.connectionString),
              schema: location.schema,
            },
          }
        : {};
    return {
      db,
      moved,
      applied,
      ...postgres,
      secretInDatabase: location.client === 'postgres',
      release: () => db.destroy(),
    };
  }
  const failed = failure('the knex given to createPlaza');
  const plaza = await plazaOnHostKnex(source.host, options);
  let opened = false;
  try {
    await plaza.db.raw('select 1');
    opened = true;
    if (plaza.dialect === 'sqlite') await requireForeignKeys(plaza.db);
    const schema = source.host.schema;
    const migrateCommand =
      schema === 'public'
        ? 'await migratePlaza(knex)'
        : `await migratePlaza(knex, { schema: '${schema}' })`;
    const outcome = await upToDate(plaza.db, options, migrateCommand);
    return {
      db: plaza.db,
      ...outcome,
      ...(plaza.connection === undefined
        ? {}
        : { postgres: { connection: plaza.connection, schema } }),
      secretInDatabase: true,
      release: () => plaza.release(),
    };
  } catch (error) {
    await plaza.release();
    if (error instanceof ConfigError) throw error;
    throw failed(
      opened ? 'cannot bring the database schema up to date' : 'cannot reach the database',
      error,
    );
  }
}

async function upToDate(
  db: Knex,
  options: StartOptions,
  migrateCommand: string,
): Promise<MigrationOutcome> {
  if (options.migrate !== false) return migrateToLatest(db);
  await requireMigrated(db, migrateCommand);
  return { moved: [], applied: [] };
}

/** A DatabaseUnavailable naming where the database was to be found and what failed. */
const failure =
  (where: string) =>
  (what: string, error: unknown): DatabaseUnavailable => {
    // Knex's own words for this ("the pool is probably full") mislead at start.
    const reason =
      error instanceof Error && error.name === 'KnexTimeoutError'
        ? `no connection within ${ACQUIRE_CONNECTION_TIMEOUT_MS / 1000} s`
        : reasonOf(error);
    return new DatabaseUnavailable(`${what} (${where}): ${reason}`, { cause: error });
  };
