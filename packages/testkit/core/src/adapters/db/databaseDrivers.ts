import { createRequire } from 'node:module';
import type pg from 'pg';
import type { DatabaseLocation } from '../../config.js';
import { DatabaseUnavailable, withoutPassword } from './DatabaseUnavailable.js';

/**
 * The database drivers are optional peer dependencies, as in Knex: an app installs the one its
 * DATABASE_URL needs, so a PostgreSQL-only app never compiles sqlite3. They are loaded on first
 * use, never at import, and resolved from this package as Knex resolves them.
 */
const require = createRequire(import.meta.url);

export type DriverPackage = 'pg' | 'sqlite3';

export const driverPackageOf = (location: DatabaseLocation): DriverPackage =>
  location.client === 'postgres' ? 'pg' : 'sqlite3';

const isMissing = (error: unknown, name: string): boolean =>
  error instanceof Error &&
  (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
  error.message.includes(`'${name}'`);

/**
 * Stops a start whose DATABASE_URL needs a driver that is not installed with one line saying
 * what to install, before Knex says it with a stack trace.
 *
 * @example assertDriverInstalled('postgres://db/plaza', parseDatabaseUrl('postgres://db/plaza'))
 */
export function assertDriverInstalled(databaseUrl: string, location: DatabaseLocation): void {
  const name = driverPackageOf(location);
  try {
    require.resolve(name);
  } catch (error) {
    if (!isMissing(error, name)) throw error;
    throw new DatabaseUnavailable(
      `DATABASE_URL is ${withoutPassword(databaseUrl)} but the '${name}' package is not installed: npm install ${name}`,
      { cause: error },
    );
  }
}

/** node-postgres, loaded when a PostgreSQL database is first opened. */
export const loadPg = (): typeof pg => require('pg') as typeof pg;
