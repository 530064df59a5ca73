import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Request-rate buckets (RAT_01) shared by every process on the database, one row per key.
  // `tat` ("theoretical arrival time", milliseconds since the epoch) is when the bucket will
  // be full again; `admitted` is the outcome of the last take (1 or 0), which the take's
  // statement returns. A row whose `tat` has passed holds nothing a new row would not.
  await knex.schema.createTable('rate_limits', (table) => {
    table.string('key', 200).primary();
    table.bigInteger('tat').notNullable();
    table.smallint('admitted').notNullable();
    // For the sweep of rows whose bucket is full again.
    table.index(['tat']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_limits');
}
