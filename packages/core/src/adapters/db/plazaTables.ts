import type { Knex } from 'knex';
import { migrationSource } from './migrationSource.js';
import { KNEX_MIGRATIONS, migrationTables, PLAZA_MIGRATIONS } from './migrationTables.js';

/** The tables Plaza's migrations create, by name (within Plaza's schema on PostgreSQL). */
export const PLAZA_TABLES = [
  'users',
  'posts',
  'likes',
  'enrichment_jobs',
  'throttle_counters',
  'plaza_settings',
  'plaza_events',
  'rate_limits',
  'follows',
  'comments',
  'user_sessions',
  'refresh_tokens',
  'notifications',
  'like_days',
  'like_day_totals',
] as const;

/** What to give Plaza instead of a database whose table names another app took. */
export const OWN_DATABASE_HINT =
  "give Plaza a database of its own: on SQLite another file (databaseUrl: 'sqlite:./data/social.sqlite', " +
  "or a knex on that file), on PostgreSQL a schema (createPlaza({ knex, schema: 'social' }), or " +
  '?schema=social in the database URL)';

const schemaOf = (db: Knex): ((on: Knex) => Knex.SchemaBuilder) => {
  const { schemaName } = migrationTables(db);
  return (on) => (schemaName === undefined ? on.schema : on.schema.withSchema(schemaName));
};

/** The names of Plaza's migrations recorded as run, in `plaza_migrations` (or knex's table). */
export async function recordedMigrations(
  db: Knex,
  tables: readonly string[] = [PLAZA_MIGRATIONS, KNEX_MIGRATIONS],
): Promise<string[]> {
  const { schemaName } = migrationTables(db);
  const schema = schemaOf(db);
  const known = await migrationSource.getMigrations([]);
  const names: string[] = [];
  for (const table of tables) {
    if (!(await schema(db).hasTable(table))) continue;
    const query = schemaName === undefined ? db(table) : db(table).withSchema(schemaName);
    const rows: { name: string }[] = await query.whereIn('name', known).select('name');
    names.push(...rows.map((row) => row.name));
  }
  return names;
}

/**
 * Refuses a database where tables bear Plaza's names (`users`, `posts`…) while Plaza's first
 * migration is recorded nowhere: they are another app's, and migrating would fail halfway on
 * "table already exists" or, worse, Plaza would read and write the other app's rows.
 *
 * @example await refuseForeignTables(db) // before migrating
 */
export async function refuseForeignTables(db: Knex): Promise<void> {
  const schema = schemaOf(db);
  const taken: string[] = [];
  for (const table of PLAZA_TABLES) {
    if (await schema(db).hasTable(table)) taken.push(table);
  }
  if (taken.length === 0) return;
  // Read after the tables: another Plaza migrating the same database at this moment commits
  // its tables and their record in one transaction, so tables seen above have it seen here.
  const [initial] = await migrationSource.getMigrations([]);
  if (initial !== undefined && (await recordedMigrations(db)).includes(initial)) return;
  throw new ForeignTables(
    `the database already has ${taken.length === 1 ? 'a table' : 'tables'} named ` +
      `${taken.join(', ')} that Plaza did not create; Plaza's tables keep these names, so ` +
      OWN_DATABASE_HINT,
  );
}

/** Tables with Plaza's names that another app created. */
export class ForeignTables extends Error {
  override readonly name = 'ForeignTables';
}
