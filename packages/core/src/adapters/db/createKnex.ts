import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import { ConfigError } from '../../errors.js';
import type { DatabaseLocation } from '../../config.js';
import { migrationSource } from './migrationSource.js';
import { cacheStatements, type SqliteConnection } from './statementCache.js';

export const isInMemory = (filename: string): boolean =>
  filename === ':memory:' || filename.startsWith('file::memory:');

/**
 * Opens the database: SQLite in WAL mode with a busy timeout and foreign keys on.
 * SQLite gets one connection: it serialises writers anyway, and one connection keeps
 * statements in order without SQLITE_BUSY between our own queries.
 */
export function createKnex(location: DatabaseLocation, options: { busyTimeoutMs: number }): Knex {
  if (location.client === 'postgres') {
    throw new ConfigError(
      'DATABASE_URL points at PostgreSQL, which this version of Plaza does not support yet; use sqlite:PATH.',
    );
  }
  const { filename } = location;
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
        connection.exec(pragmas, (error) => done(error, connection));
      },
    },
  });
}

/** Brings the schema up to date; safe to run at every start. */
export async function migrateToLatest(db: Knex, waitForLockMs = 15_000): Promise<string[]> {
  const giveUpAt = Date.now() + waitForLockMs;
  for (;;) {
    try {
      return await latest(db);
    } catch (error) {
      // Processes starting together on one database race to create Knex's own tables, then
      // take turns on its lock; the others wait and find the migrations applied.
      const message = String((error as { message?: unknown }).message);
      const raced = /already exists|already locked/i.test(message);
      if (!raced || Date.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
}

async function latest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}
