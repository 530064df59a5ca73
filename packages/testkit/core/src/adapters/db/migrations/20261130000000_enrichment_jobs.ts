import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('enrichment_jobs', (table) => {
    table.increments('id').primary();
    table
      .integer('user_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE');
    // pending → running → done | failed; running goes back to pending to be retried.
    table.string('state', 16).notNullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.timestamp('next_attempt_at', { useTz: true }).notNullable();
    // A running job whose lease has passed belongs to a worker that died: it may be claimed again.
    table.timestamp('locked_until', { useTz: true });
    table.string('last_error', 500);
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.index(['state', 'next_attempt_at']);
  });
  // At most one unfinished job per user: asking again while one waits adds nothing.
  await knex.raw(
    "create unique index enrichment_jobs_one_active_per_user on enrichment_jobs (user_id) where state in ('pending', 'running')",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('enrichment_jobs');
}
