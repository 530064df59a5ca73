import type { Knex } from 'knex';
import { dialectOf, type Dialect } from '../adapters/db/createKnex.js';

/**
 * Likes made per day, kept beside the likes so that analytics never counts them: `like_days`
 * holds one row per post and UTC day (with the post's author, for the author filter), and
 * `like_day_totals` the day's likes over all posts. On PostgreSQL a day's total is split over
 * `likeDayShards` rows (a post's likes go to the row `post_id % 16`), summed when read: likes
 * of different posts made at once then rarely wait for one row, as they would for a single
 * row per day. SQLite writes one transaction at a time, so there a day has one row, and a
 * year reads 366 rows rather than 16 times as many. Every write that adds or removes a like changes these in
 * its own transaction; a like's day is the UTC day it was made, also when it is taken back.
 */
export const likeDayShards = (dialect: Dialect): number => (dialect === 'postgres' ? 16 : 1);

/** The UTC day (YYYY-MM-DD) of a timestamp column, as SQL: SQLite keeps ISO strings. */
export const utcDayOf = (dialect: Dialect, column: string): string =>
  dialect === 'postgres'
    ? `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD')`
    : `strftime('%Y-%m-%d', ${column})`;

const shardOf = (db: Knex, postId: number): number => postId % likeDayShards(dialectOf(db));

/** The shard of a day's total that `column` (a post id) counts in, as SQL. */
const shardSql = (db: Knex, column: string): string =>
  `${column} % ${likeDayShards(dialectOf(db))}`;

/** A new like of `postId` (by `authorId`) made on `day`: counted on the post's day and in the day's total. */
export async function countLikeMade(
  trx: Knex,
  postId: number,
  authorId: number,
  day: string,
): Promise<void> {
  await trx('like_days')
    .insert({ post_id: postId, author_id: authorId, day, likes: 1 })
    .onConflict(['post_id', 'day'])
    .merge({ likes: trx.raw('?? + 1', ['like_days.likes']) });
  await trx('like_day_totals')
    .insert({ day, shard: shardOf(trx, postId), likes: 1 })
    .onConflict(['day', 'shard'])
    .merge({ likes: trx.raw('?? + 1', ['like_day_totals.likes']) });
}

/** A like of `postId` made on `day` was taken back: off that day's counts, not today's. */
export async function countLikeTaken(trx: Knex, postId: number, day: string): Promise<void> {
  await trx('like_days').where({ post_id: postId, day }).decrement('likes', 1);
  await trx('like_day_totals')
    .where({ day, shard: shardOf(trx, postId) })
    .decrement('likes', 1);
}

/**
 * A post's likes are about to be deleted with it: its days come off the totals and go. The
 * caller holds the post (locked on PostgreSQL), so no like of it changes meanwhile.
 */
export async function forgetPostLikeDays(trx: Knex, postId: number): Promise<void> {
  await trx.raw(
    `update like_day_totals set likes = like_day_totals.likes - gone.likes
       from (select day, likes from like_days where post_id = ?) as gone
      where like_day_totals.day = gone.day and like_day_totals.shard = ?`,
    [postId, shardOf(trx, postId)],
  );
  await trx('like_days').where('post_id', postId).delete();
}

/**
 * Every post of `authorId` is about to be deleted with its likes: their days come off the
 * totals and go. The caller holds the author's posts.
 */
export async function forgetAuthorLikeDays(trx: Knex, authorId: number): Promise<void> {
  await trx.raw(
    `update like_day_totals set likes = like_day_totals.likes - gone.likes
       from (select day, ${shardSql(trx, 'post_id')} as shard, sum(likes) as likes
               from like_days where author_id = ? group by day, ${shardSql(trx, 'post_id')}) as gone
      where like_day_totals.day = gone.day and like_day_totals.shard = gone.shard`,
    [authorId],
  );
  await trx('like_days').where('author_id', authorId).delete();
}

/**
 * SQLite: the likes of `userId` are about to be deleted (the account goes): each comes off the
 * day it was made. A user likes a post once, so each (post, day) loses at most one.
 */
export async function forgetLikesOfUserSqlite(trx: Knex, userId: number): Promise<void> {
  const day = utcDayOf('sqlite', 'created_at');
  await trx.raw(
    `update like_days set likes = like_days.likes - 1
       from (select post_id, ${day} as day from likes where user_id = ?) as gone
      where like_days.post_id = gone.post_id and like_days.day = gone.day`,
    [userId],
  );
  await trx.raw(
    `update like_day_totals set likes = like_day_totals.likes - gone.likes
       from (select ${day} as day, ${shardSql(trx, 'post_id')} as shard, count(*) as likes
               from likes where user_id = ? group by 1, 2) as gone
      where like_day_totals.day = gone.day and like_day_totals.shard = gone.shard`,
    [userId],
  );
}

/**
 * PostgreSQL: common table expressions that take the rows of `gone` (deleted likes, with
 * `post_id` and `day` returned) off the kept days, for a statement that deletes likes: the
 * counts change in the statement that deletes what they count, so an unlike racing with it is
 * taken off once.
 */
export const LIKE_DAYS_OF_GONE_POSTGRES = `
  gone_days as (select post_id, day, count(*) as likes from gone group by post_id, day),
  counted_days as (update like_days set likes = like_days.likes - gone_days.likes
                     from gone_days
                    where like_days.post_id = gone_days.post_id and like_days.day = gone_days.day
                   returning like_days.post_id),
  counted_totals as (update like_day_totals set likes = like_day_totals.likes - per_shard.likes
                       from (select day, post_id % ${likeDayShards('postgres')} as shard, sum(likes) as likes
                               from gone_days group by day, post_id % ${likeDayShards('postgres')}) as per_shard
                      where like_day_totals.day = per_shard.day
                        and like_day_totals.shard = per_shard.shard
                     returning like_day_totals.day)`;
