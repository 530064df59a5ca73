import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // A person's inbox: every event delivered to them, kept. The id comes from one sequence for
  // everyone; a person's own ids only grow, in the order their rows commit (see InboxWriter).
  // No foreign keys: a like's transaction would then lock the author's row after the post's,
  // the reverse of an account deletion's order; account deletion erases these rows itself.
  await knex.schema.createTable('notifications', (table) => {
    table.increments('id').primary();
    table.integer('user_id').notNullable();
    // Whose act it tells of (the liker, commenter, follower, the post's author), if anyone's:
    // their account's deletion erases it from the others' inboxes too.
    table.integer('actor_id');
    table.string('type', 40).notNullable();
    // The event's fields as the JSON WebSocket frame shows them, as JSON text.
    table.text('payload').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.boolean('read').notNullable().defaultTo(false);
    table.index(['user_id', 'id']);
    table.index(['actor_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notifications');
}
