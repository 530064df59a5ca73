import type { Knex } from 'knex';

const BATCH = 500;

export async function up(knex: Knex): Promise<void> {
  // Counts kept with their rows, changed in the transaction that changes what they count,
  // so that no read recounts them.
  await knex.schema.alterTable('posts', (table) => {
    table.integer('likes_count').notNullable().defaultTo(0);
    table.integer('comments_count').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('users', (table) => {
    table.integer('followers_count').notNullable().defaultTo(0);
    table.integer('following_count').notNullable().defaultTo(0);
  });
  await backfillLikeCounts(knex);

  // The id orders a list of followers or followings (newest first) and is its cursor.
  await knex.schema.createTable('follows', (table) => {
    table.increments('id').primary();
    table.integer('follower_id').unsigned().notNullable().references('id').inTable('users');
    table.integer('followee_id').unsigned().notNullable().references('id').inTable('users');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['follower_id', 'followee_id']);
    table.index(['followee_id', 'id']);
    table.index(['follower_id', 'id']);
  });

  await knex.schema.createTable('comments', (table) => {
    table.increments('id').primary();
    table.integer('post_id').unsigned().notNullable().references('id').inTable('posts');
    table.integer('author_id').unsigned().notNullable().references('id').inTable('users');
    table.text('text').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['post_id', 'id']);
    table.index(['author_id']);
  });

  // A signed-in device: its access tokens carry its id, and it ends at a logout or when a
  // refresh token of it is used twice.
  await knex.schema.createTable('user_sessions', (table) => {
    table.increments('id').primary();
    table.integer('user_id').unsigned().notNullable().references('id').inTable('users');
    table.string('device', 200);
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('last_used_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('revoked_at', { useTz: true });
    table.index(['user_id']);
  });

  // Refresh tokens by the SHA-256 of the token (hex); the token itself is never stored.
  // `used_at` is set when one is rotated: a second use is the theft signal.
  await knex.schema.createTable('refresh_tokens', (table) => {
    table.string('token_hash', 64).primary();
    table.integer('session_id').unsigned().notNullable().references('id').inTable('user_sessions');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('used_at', { useTz: true });
    table.index(['session_id']);
  });
}

async function backfillLikeCounts(knex: Knex): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = await knex('posts')
      .select<Array<{ id: number | string }>>('id')
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH);
    const last = rows.at(-1);
    if (last === undefined) break;
    await knex('posts')
      .whereIn(
        'id',
        rows.map((row) => row.id),
      )
      .update({
        likes_count: knex('likes').count('*').where('likes.post_id', knex.ref('posts.id')),
      });
    after = Number(last.id);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refresh_tokens');
  await knex.schema.dropTable('user_sessions');
  await knex.schema.dropTable('comments');
  await knex.schema.dropTable('follows');
  await knex.schema.alterTable('users', (table) => {
    table.dropColumn('following_count');
    table.dropColumn('followers_count');
  });
  await knex.schema.alterTable('posts', (table) => {
    table.dropColumn('comments_count');
    table.dropColumn('likes_count');
  });
}
