import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The person's last authenticated request, written at most once a minute per person (see
  // LastRequests): never a write per request. Erased with the row.
  await knex.schema.alterTable('users', (table) => {
    table.timestamp('last_request_at', { useTz: true });
  });
  // Their last login or refresh is the newest `last_used_at` of their sessions, which every
  // login, sign-up and refresh already writes: this index makes it one lookup, however many
  // sessions they have had.
  await knex.schema.alterTable('user_sessions', (table) => {
    table.index(['user_id', 'last_used_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('user_sessions', (table) => {
    table.dropIndex(['user_id', 'last_used_at']);
  });
  await knex.schema.alterTable('users', (table) => {
    table.dropColumn('last_request_at');
  });
}
