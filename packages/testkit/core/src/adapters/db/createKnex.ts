import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import type { DatabaseLocation } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { DatabaseFileGuard } from './DatabaseFileGuard.js';
import { loadPg } from './databaseDrivers.js';
import { cacheStatements, type SqliteConnection } from './statementCache.js';

/**
 * How to reach PostgreSQL: knex's own type for node-postgres settings, so that Plaza's
 * declarations name no `pg` types (pg ships none, and it is an optional peer).
 */
export type PostgresConnection = Knex.PgConnectionConfig;

export const isInMemory = (filename: string): boolean =>
  filename === ':memory:' || filename.startsWith('file::memory:');

export interface DatabaseOptions {
  /** SQLite: how long a statement waits for another process's write lock. */
  readonly busyTimeoutMs: number;
  /** PostgreSQL: the most connections this process opens (default 10). */
  readonly poolSize?: number;
  /** Where Knex's own warnings go (at debug level); default: nowhere. */
  readonly logger?: Logger;
  /** SQLite file: refuses writes once the file is deleted or replaced under the process. */
  readonly fileGuard?: DatabaseFileGuard;
  /**
   * Queries that may wait for a connection at once; one more fails at once with
   * `DatabaseQueueFull` (OFF_01) instead of queuing (default `DEFAULT_DATABASE_QUEUE_LIMIT`).
   */
  readonly queueLimit?: number;
}

export type Dialect = 'sqlite' | 'postgres';

// Knex's own name for the dialect, whatever alias (`pg`, `postgresql`…) its config used.
export const dialectOf = (db: Knex): Dialect =>
  (db.client as { dialect?: string }).dialect === 'postgresql' ? 'postgres' : 'sqlite';

/** The schema a PostgreSQL database keeps Plaza's tables in (`public` for SQLite). */
export const schemaOf = (db: Knex): string =>
  (db.client as { config: Knex.Config & { plazaSchema?: string } }).config.plazaSchema ?? 'public';

export const DEFAULT_POSTGRES_POOL_SIZE = 10;
/**
 * Queries waiting for a connection, at most. A query takes a fraction of a millisecond on
 * SQLite, so a full queue is still worked off well within a second; work that arrives faster
 * than that is refused at once rather than left to wait for a minute and time out.
 */
export const DEFAULT_DATABASE_QUEUE_LIMIT = 500;

/** A query found `queueLimit` others waiting for a connection: the database is overloaded. */
export class DatabaseQueueFull extends Error {
  override readonly name = 'DatabaseQueueFull';
}

/** A request waiting this long for a connection gets OFF_01 (try again). */
export const ACQUIRE_CONNECTION_TIMEOUT_MS = 10_000;

/**
 * Knex prints to the console, a stack included, what it then throws (a connection that could
 * not be made): whoever catches the error reports it, so Knex's own words are for debugging.
 */
function knexLog(logger: Logger | undefined): Knex.Logger {
  const log = (message: unknown): void => logger?.debug({ knex: String(message) }, 'knex');
  return { warn: log, error: log, deprecate: log, debug: log };
}

/**
 * Opens the database.
 * - SQLite: WAL mode with a busy timeout and foreign keys on, and one connection: SQLite
 *   serialises writers anyway, and one connection keeps statements in order without
 *   SQLITE_BUSY between our own queries.
 * - PostgreSQL: a pool of connections whose `search_path` is Plaza's schema.
 */
export function createKnex(location: DatabaseLocation, options: DatabaseOptions): Knex {
  const db =
    location.client === 'postgres'
      ? createPostgresKnex(location, options)
      : createSqliteKnex(location.filename, options);
  return boundQueue(db, options.queueLimit ?? DEFAULT_DATABASE_QUEUE_LIMIT);
}

interface PooledClient {
  readonly pool?: { numPendingAcquires(): number };
  acquireConnection(): Promise<unknown>;
}

/**
 * Every query and transaction asks Knex's client for a connection, and waits in the pool's
 * queue for one. Past `limit` waiting, the next is refused at once: without a bound, a flood
 * of reads queued tens of thousands deep, for longer than the acquire timeout.
 */
export function boundQueue(db: Knex, limit: number): Knex {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError('queueLimit must be a whole number, 1 or more.');
  }
  const client = db.client as PooledClient;
  const acquire = client.acquireConnection.bind(client);
  client.acquireConnection = () =>
    (client.pool?.numPendingAcquires() ?? 0) >= limit
      ? Promise.reject(new DatabaseQueueFull(`${limit} queries are waiting for a connection`))
      : acquire();
  return db;
}

function createSqliteKnex(filename: string, options: DatabaseOptions): Knex {
  if (!isInMemory(filename)) mkdirSync(dirname(filename), { recursive: true });
  const pragmas = [
    // First, so that switching to WAL waits for another process's lock instead of failing.
    `PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs)};`,
    isInMemory(filename) ? '' : 'PRAGMA journal_mode = WAL;',
    // NORMAL in WAL mode loses nothing on a process crash, only on power loss.
    'PRAGMA synchronous = NORMAL;',
    'PRAGMA foreign_keys = ON;',
  ].join(' ');
  return knex({
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // Error messages show the SQL with placeholders, never the values (password hashes…).
    compileSqlOnError: false,
    log: knexLog(options.logger),
    pool: {
      min: 1,
      max: 1,
      // An in-memory database lives only as long as its connection.
      idleTimeoutMillis: Number.MAX_SAFE_INTEGER,
      afterCreate: (
        connection: SqliteConnection,
        done: (error: Error | null, connection: SqliteConnection) => void,
      ) => {
        cacheStatements(connection);
        options.fileGuard?.watch(connection);
        connection.exec(pragmas, (error) => done(error, connection));
      },
    },
  });
}

// PostgreSQL's bigint (counts, millisecond times) as a number rather than a string; every
// bigint Plaza keeps is far below 2^53. Per connection, so an embedding app's pg is untouched.
const INT8_OID = 20;
function bigintsAsNumbers() {
  const defaultParser = loadPg().types.getTypeParser as (
    oid: number,
    format: 'text' | 'binary',
  ) => (value: string) => unknown;
  return {
    getTypeParser: (oid: number, format = 'text') =>
      oid === INT8_OID && format === 'text'
        ? Number
        : defaultParser(oid, format === 'binary' ? 'binary' : 'text'),
  };
}

function createPostgresKnex(
  location: Extract<DatabaseLocation, { client: 'postgres' }>,
  options: DatabaseOptions,
): Knex {
  return createPostgresKnexOn(plazaConnection(location.connectionString), location.schema, options);
}

/**
 * What Plaza's connections to PostgreSQL are opened with: a connection string or a
 * node-postgres config (a host app's), named `plaza`, with Plaza's bigint parser.
 */
export const plazaConnection = (connection: string | PostgresConnection): PostgresConnection => ({
  ...(typeof connection === 'string' ? { connectionString: connection } : connection),
  application_name: 'plaza',
  types: bigintsAsNumbers(),
});

/** A pool of PostgreSQL connections whose `search_path` is `schema`. */
export function createPostgresKnexOn(
  connection: PostgresConnection,
  schema: string,
  options: DatabaseOptions,
): Knex {
  const config: Knex.Config & { plazaSchema: string } = {
    client: 'pg',
    connection,
    searchPath: [schema],
    plazaSchema: schema,
    compileSqlOnError: false,
    log: knexLog(options.logger),
    acquireConnectionTimeout: ACQUIRE_CONNECTION_TIMEOUT_MS,
    pool: { min: 0, max: options.poolSize ?? DEFAULT_POSTGRES_POOL_SIZE },
  };
  return knex(config);
}
