/**
 * Which database the tests run on. `npm test` uses SQLite; `npm run test:pg` starts a private
 * PostgreSQL cluster and sets PLAZA_TEST_POSTGRES_URL, and every test database is then a
 * fresh schema in it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { createKnex, migrateToLatest, parseDatabaseUrl, type Dialect } from '@plaza/core/host';

export const TEST_POSTGRES_URL_VARIABLE = 'PLAZA_TEST_POSTGRES_URL';

/** The PostgreSQL database the PostgreSQL suite runs on, or undefined for the SQLite suite. */
export function testPostgresUrl(): string | undefined {
  const value = process.env[TEST_POSTGRES_URL_VARIABLE]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export const testDialect = (): Dialect => (testPostgresUrl() === undefined ? 'sqlite' : 'postgres');

const withSchema = (url: string, schema: string): string => {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
};

/** A new, empty database: in-memory SQLite, or a schema nobody else uses. */
export function freshDatabaseUrl(): string {
  const postgres = testPostgresUrl();
  if (postgres === undefined) return 'sqlite::memory:';
  return withSchema(postgres, `t_${randomBytes(8).toString('hex')}`);
}

/**
 * A database several instances (or a restart) can share, named by a folder of the test's
 * own: a SQLite file in it, or a PostgreSQL schema named after it.
 */
export function sharedDatabaseUrl(dir: string, name = 'plaza.sqlite'): string {
  const postgres = testPostgresUrl();
  const path = join(dir, name);
  if (postgres === undefined) return `sqlite:${path}`;
  return withSchema(postgres, `s_${createHash('sha256').update(path).digest('hex').slice(0, 24)}`);
}

/**
 * A connection of the test's own to a database URL, kept until `destroy()`. One connection,
 * so that per-connection state (SQLite's `PRAGMA data_version`) compares like with like.
 */
export function openDatabase(
  databaseUrl: string,
  { busyTimeoutMs = 5000, poolSize = 1 }: { busyTimeoutMs?: number; poolSize?: number } = {},
): Knex {
  return createKnex(parseDatabaseUrl(databaseUrl), { busyTimeoutMs, poolSize });
}

/** A connection of the test's own to a database URL, closed when `work` ends. */
export async function withDatabase<T>(
  databaseUrl: string,
  work: (db: Knex) => Promise<T>,
): Promise<T> {
  const db = openDatabase(databaseUrl, { poolSize: 2 });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/**
 * Plaza's tables, migrated, in a database of the test's own (a fresh one unless a URL is
 * given), for tests of a repository or service without a whole Plaza. Closed when the test ends.
 *
 * @example const db = await migratedDatabase(t)
 */
export async function migratedDatabase(
  t: { teardown(fn: () => unknown): void },
  databaseUrl: string = freshDatabaseUrl(),
): Promise<Knex> {
  const db = createKnex(parseDatabaseUrl(databaseUrl), { busyTimeoutMs: 5000 });
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  return db;
}
