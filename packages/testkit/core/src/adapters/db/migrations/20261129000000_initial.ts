import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (table) => {
    table.increments('id').primary();
    table.string('username', 150).notNullable();
    // NFKC + lower case: "Ada" and "ada" are one name, enforced by the unique index.
    table.string('username_key', 150).notNullable().unique();
    table.string('email', 254).notNullable();
    table.string('email_verdict', 32).notNullable();
    table.string('password_hash', 255).notNullable();
    table.string('first_name', 150);
    table.string('last_name', 150);
    table.string('birth_date', 10);
    table.string('location', 255);
    table.string('city', 255);
    table.string('state', 255);
    table.string('country', 255);
    table.double('lat');
    table.double('lng');
    table.text('bio');
    table.string('site', 2048);
    table.string('avatar', 2048);
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('posts', (table) => {
    table.increments('id').primary();
    table.integer('author_id').unsigned().notNullable().references('id').inTable('users');
    table.string('title', 255).notNullable();
    table.text('text').notNullable();
    table.string('link', 2048);
    table.timestamp('posted_at', { useTz: true }).notNullable();
    table.timestamp('edited_at', { useTz: true }).notNullable();
    table.index(['author_id', 'id']);
  });

  await knex.schema.createTable('likes', (table) => {
    table.integer('post_id').unsigned().notNullable().references('id').inTable('posts');
    table.integer('user_id').unsigned().notNullable().references('id').inTable('users');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['post_id', 'user_id']);
    table.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('likes');
  await knex.schema.dropTable('posts');
  await knex.schema.dropTable('users');
}
