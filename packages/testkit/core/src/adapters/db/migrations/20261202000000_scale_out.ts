import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Every event published on PostgreSQL, so that each instance reads what it was notified of
  // (NOTIFY carries only the id) and catches up on what it missed while its listening
  // connection was down. Old rows are pruned. Unused on SQLite, which has one process.
  await knex.schema.createTable('plaza_events', (table) => {
    table.bigIncrements('id').primary();
    table.string('type', 64).notNullable();
    table.text('payload').notNullable();
    // The instance that published it, which has delivered it to its own listeners already.
    table.string('origin', 64).notNullable();
    // Milliseconds since the epoch.
    table.bigInteger('created_at').notNullable();
    table.index(['created_at']);
  });
  // Values every instance must agree on, such as a generated JWT secret.
  await knex.schema.createTable('plaza_settings', (table) => {
    table.string('key', 100).primary();
    table.text('value').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('plaza_settings');
  await knex.schema.dropTable('plaza_events');
}
