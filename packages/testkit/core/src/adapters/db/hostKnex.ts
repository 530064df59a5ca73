import type { Knex } from 'knex';
import type { PostgresConnection } from './createKnex.js';
import { ConfigError } from '../../errors.js';
import {
  boundQueue,
  createPostgresKnexOn,
  DEFAULT_DATABASE_QUEUE_LIMIT,
  type DatabaseOptions,
  type Dialect,
  plazaConnection,
} from './createKnex.js';

/** A knex instance a host app gives Plaza, and the PostgreSQL schema for Plaza's tables. */
export interface HostDatabase {
  readonly knex: Knex;
  readonly schema: string;
}

/** Plaza's view of a host's knex: what Plaza queries through, and what it must close itself. */
export interface PlazaOnHostKnex {
  readonly db: Knex;
  readonly dialect: Dialect;
  /** PostgreSQL: the connection settings Plaza's pool (and its event listener) uses. */
  readonly connection?: PostgresConnection;
  /** Closes what Plaza opened; never the host's knex. */
  release(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Knex's name of the host's dialect, if Plaza works on it. */
export function hostDialect(host: Knex): Dialect {
  const dialect = (host.client as { dialect?: unknown } | undefined)?.dialect;
  if (dialect === 'postgresql') return 'postgres';
  if (dialect === 'sqlite3') return 'sqlite';
  throw new ConfigError(
    `The knex given to createPlaza is for ${String(dialect)}; Plaza works on SQLite (client 'sqlite3') and PostgreSQL (client 'pg').`,
  );
}

/** Checks the `schema` option against the host's dialect. */
export function checkHostSchema(host: Knex, schema: string | undefined): HostDatabase {
  const dialect = hostDialect(host);
  if (schema === undefined) return { knex: host, schema: 'public' };
  if (dialect === 'sqlite') {
    throw new ConfigError(
      'The schema option is for PostgreSQL; on SQLite give Plaza a database file of its own.',
    );
  }
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(
      `The schema option must be lower-case letters, digits and underscores, starting with a letter; it is "${schema}".`,
    );
  }
  return { knex: host, schema };
}

/**
 * What Plaza queries through when a host app gives it its knex.
 * - SQLite: the host's own connection (a clone of the knex sharing its pool, so that Plaza's
 *   queue bound and settings stay Plaza's). It must have foreign keys on.
 * - PostgreSQL: a pool of Plaza's own opened with the host's connection settings, because
 *   Plaza's connections need `search_path` set to its schema and bigints read as numbers,
 *   which must not change the host's connections.
 */
export async function plazaOnHostKnex(
  host: HostDatabase,
  options: DatabaseOptions,
): Promise<PlazaOnHostKnex> {
  const limit = options.queueLimit ?? DEFAULT_DATABASE_QUEUE_LIMIT;
  if (hostDialect(host.knex) === 'sqlite') {
    const db = host.knex.withUserParams({});
    // Plaza's inserts leave optional columns out: NULL, as with Plaza's own SQLite knex.
    (db.client as { valueForUndefined: unknown }).valueForUndefined = null;
    boundQueue(db, limit);
    return { db, dialect: 'sqlite', release: () => Promise.resolve() };
  }
  const connection = plazaConnection(await connectionSettingsOf(host.knex));
  const db = boundQueue(createPostgresKnexOn(connection, host.schema, options), limit);
  return { db, dialect: 'postgres', connection, release: () => db.destroy() };
}

/** Refuses a SQLite connection without foreign keys: Plaza relies on them (a like of a deleted post). */
export async function requireForeignKeys(db: Knex): Promise<void> {
  const rows = await db.raw<{ foreign_keys: number }[]>('PRAGMA foreign_keys');
  if (rows[0]?.foreign_keys === 1) return;
  throw new ConfigError(
    "The SQLite knex given to createPlaza has foreign keys off; Plaza needs them on. Turn them on for each connection: pool: { afterCreate: (connection, done) => connection.run('PRAGMA foreign_keys = ON', done) }.",
  );
}

async function connectionSettingsOf(host: Knex): Promise<string | PostgresConnection> {
  const configured = (host.client as { config: Knex.Config }).config.connection;
  const settings: unknown = typeof configured === 'function' ? await configured() : configured;
  if (typeof settings === 'string') return settings;
  if (typeof settings === 'object' && settings !== null) return settings;
  throw new ConfigError(
    'The PostgreSQL knex given to createPlaza has no connection settings Plaza can read (a connection string or object).',
  );
}
