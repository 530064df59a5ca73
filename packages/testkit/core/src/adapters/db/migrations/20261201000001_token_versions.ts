import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Carried in each token as `ver`; raising it invalidates every token issued before. Tokens
  // issued before this column existed carry no `ver` and count as version 0.
  await knex.schema.alterTable('users', (table) => {
    table.integer('token_version').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.dropColumn('token_version');
  });
}
