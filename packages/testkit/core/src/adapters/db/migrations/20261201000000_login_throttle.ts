import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Failed-login counters, one row per username (hashed) or client network. Times are
  // milliseconds since the epoch, so that one statement can compare and move them on both
  // SQLite and PostgreSQL.
  await knex.schema.createTable('throttle_counters', (table) => {
    table.string('key', 100).primary();
    table.integer('failures').notNullable();
    table.bigInteger('window_started_at').notNullable();
    table.bigInteger('locked_until');
    table.integer('lockouts').notNullable();
    table.bigInteger('updated_at').notNullable();
    // For the sweep of counters nobody has touched for a long while.
    table.index(['updated_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('throttle_counters');
}
