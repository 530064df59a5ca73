import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Whose username a failed-login counter counts (the SHA-256 of its username key), so that
  // deleting an account deletes its counters too: a counter of the name from one address is
  // keyed by a hash of both, which the address alone cannot be found from.
  await knex.schema.alterTable('throttle_counters', (table) => {
    table.string('account', 64);
    table.index(['account']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('throttle_counters', (table) => {
    table.dropIndex(['account']);
    table.dropColumn('account');
  });
}
