import type { Knex } from 'knex';
import { dialectOf } from '../createKnex.js';
import { likeDayShards, utcDayOf } from '../../../analytics/likeDays.js';

/** Posts whose likes one statement of the backfill counts. */
export const LIKE_DAYS_BACKFILL_BATCH = 500;

export async function up(knex: Knex): Promise<void> {
  // Likes made per post and UTC day (YYYY-MM-DD), with the post's author for the author
  // filter; and per day over all posts, in shards summed when read (see likeDays.ts).
  await knex.schema.createTable('like_days', (table) => {
    table.integer('post_id').unsigned().notNullable().references('id').inTable('posts');
    table.integer('author_id').unsigned().notNullable().references('id').inTable('users');
    table.string('day', 10).notNullable();
    table.integer('likes').notNullable();
    table.primary(['post_id', 'day']);
    table.index(['author_id', 'day']);
  });
  await knex.schema.createTable('like_day_totals', (table) => {
    table.string('day', 10).notNullable();
    table.integer('shard').notNullable();
    table.bigInteger('likes').notNullable();
    table.primary(['day', 'shard']);
  });
  await backfill(knex);
}

/** The kept days of the likes already there, a batch of posts at a time, then the totals. */
async function backfill(knex: Knex): Promise<void> {
  const day = utcDayOf(dialectOf(knex), 'likes.created_at');
  let after = 0;
  for (;;) {
    const rows = await knex('posts')
      .select<Array<{ id: number | string }>>('id')
      .where('id', '>', after)
      .orderBy('id')
      .limit(LIKE_DAYS_BACKFILL_BATCH);
    const last = rows.at(-1);
    if (last === undefined) break;
    await knex.raw(
      `insert into like_days (post_id, author_id, day, likes)
       select likes.post_id, posts.author_id, ${day}, count(*)
         from likes join posts on posts.id = likes.post_id
        where likes.post_id > ? and likes.post_id <= ?
        group by likes.post_id, posts.author_id, ${day}`,
      [after, Number(last.id)],
    );
    after = Number(last.id);
  }
  const shard = `post_id % ${likeDayShards(dialectOf(knex))}`;
  await knex.raw(
    `insert into like_day_totals (day, shard, likes)
     select day, ${shard}, sum(likes) from like_days group by day, ${shard}`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('like_day_totals');
  await knex.schema.dropTable('like_days');
}
