import type { Knex } from 'knex';
import { dialectOf, schemaOf } from './createKnex.js';

/**
 * Where Plaza records its migrations: a table of its own (and `plaza_migrations_lock` beside
 * it), so that an app embedding Plaza keeps knex's default `knex_migrations` to itself.
 */
export const PLAZA_MIGRATIONS = 'plaza_migrations';

/** Knex's default, where Plaza recorded its migrations before it had tables of its own. */
export const KNEX_MIGRATIONS = 'knex_migrations';

/** The migrator's table options: Plaza's table, in Plaza's schema on PostgreSQL. */
export const migrationTables = (db: Knex): { tableName: string; schemaName?: string } =>
  dialectOf(db) === 'postgres'
    ? { tableName: PLAZA_MIGRATIONS, schemaName: schemaOf(db) }
    : { tableName: PLAZA_MIGRATIONS };
