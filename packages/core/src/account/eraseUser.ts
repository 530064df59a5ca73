import type { Knex } from 'knex';
import type { Dialect } from '../adapters/db/createKnex.js';
import { selectRows } from '../adapters/db/selectRows.js';
import { lockInboxOf } from '../inbox/InboxWriter.js';
import {
  forgetAuthorLikeDays,
  forgetLikesOfUserSqlite,
  LIKE_DAYS_OF_GONE_POSTGRES,
  utcDayOf,
} from '../analytics/likeDays.js';

/** What an account's deletion removed, for the log. */
export interface ErasedRows {
  readonly posts: number;
  readonly likes: number;
  readonly comments: number;
  readonly follows: number;
  readonly sessions: number;
}

/**
 * Deletes, inside `trx`, every row of the user's but the throttle's (which the caller adds):
 * their posts with those posts' likes and comments; their likes and comments on other posts,
 * taken off those posts' counts (and the likes off the days they were made, likeDays.ts); their follows both ways, taken off the other users' counts;
 * their enrichment jobs, sessions and refresh tokens, the rate-limit buckets named after
 * them, the recorded events that name them; and last their row. Resolves undefined when the
 * user is not there (deleted meanwhile) or their password hash is no longer `passwordHash`
 * (changed since it was verified), and then deletes nothing.
 *
 * On PostgreSQL the user's row, posts and sessions are locked first, so that a like, comment,
 * follow, post or session of theirs (or on their posts) being written meanwhile waits and
 * then fails on its foreign key, rather than this deletion failing on it; each count is
 * changed by the statement that deletes what it counted, so an unlike or unfollow racing
 * with it is taken off once. On SQLite the one connection serializes everything.
 */
export async function eraseUser(
  trx: Knex,
  dialect: Dialect,
  userId: number,
  passwordHash: string,
): Promise<ErasedRows | undefined> {
  const postgres = dialect === 'postgres';
  const user = (await (postgres
    ? trx('users').select('password_hash').where('id', userId).forUpdate().first()
    : trx('users').select('password_hash').where('id', userId).first())) as
    { password_hash: string } | undefined;
  if (user === undefined || user.password_hash !== passwordHash) return undefined;
  if (postgres) {
    await lockAll(trx, 'select 1 from posts where author_id = ? for update', userId);
    // The posts they like too, before any count of likes per day: a like of one of these
    // posts takes the post first and the day's total after it, so taking the totals first
    // could wait for such a like while it waits for this.
    await lockAll(
      trx,
      'select 1 from posts where id in (select post_id from likes where user_id = ?) ' +
        'order by id for no key update',
      userId,
    );
    await lockAll(trx, 'select 1 from user_sessions where user_id = ? for update', userId);
  }

  // Their own posts, with what others attached to them: no count outlives these posts.
  const ownPosts = trx('posts').select('id').where('author_id', userId);
  await trx('comments').whereIn('post_id', ownPosts.clone()).delete();
  await forgetAuthorLikeDays(trx, userId);
  await trx('likes').whereIn('post_id', ownPosts.clone()).delete();
  const posts = await trx('posts').where('author_id', userId).delete();

  const likes = postgres
    ? await eraseLikesPostgres(trx, userId)
    : await eraseLikesSqlite(trx, userId);
  const comments = postgres
    ? await eraseCommentsPostgres(trx, userId)
    : await eraseCommentsSqlite(trx, userId);
  const follows = postgres
    ? await eraseFollowsPostgres(trx, userId)
    : await eraseFollowsSqlite(trx, userId);

  await trx('enrichment_jobs').where('user_id', userId).delete();
  const sessions = trx('user_sessions').select('id').where('user_id', userId);
  await trx('refresh_tokens').whereIn('session_id', sessions).delete();
  const sessionCount = await trx('user_sessions').where('user_id', userId).delete();
  // Request-rate buckets of a user are named `…:user:<id>` (write:user:7).
  await trx('rate_limits').where('key', 'like', `%:user:${userId}`).delete();
  if (postgres) await forgetEventsOf(trx, userId);
  await eraseNotifications(trx, postgres, userId);
  await trx('users').where('id', userId).delete();
  return { posts, likes, comments, follows, sessions: sessionCount };
}

/**
 * Their inbox, and the entries in others' inboxes that tell of their acts (their likes,
 * comments, follows; edits and deletions of their posts). On PostgreSQL their inbox lock is
 * taken first (last of this transaction's locks, as every inbox write takes it last), so an
 * entry being written for them commits before and is erased here, or waits and then finds
 * what it tells of gone.
 */
async function eraseNotifications(trx: Knex, postgres: boolean, userId: number): Promise<void> {
  if (postgres) await lockInboxOf(trx, userId);
  await trx('notifications').where('user_id', userId).orWhere('actor_id', userId).delete();
}

async function lockAll(trx: Knex, sql: string, userId: number): Promise<void> {
  // Counted in the database: the locked rows need not travel.
  await trx.raw(`select count(*) from (${sql}) as locked`, [userId]);
}

const countOf = (rows: readonly { n: number | string }[]): number => Number(rows[0]?.n ?? 0);

async function eraseLikesPostgres(trx: Knex, userId: number): Promise<number> {
  return countOf(
    await selectRows<{ n: number | string }>(
      trx,
      `with gone as (delete from likes where user_id = ?
                      returning post_id, ${utcDayOf('postgres', 'created_at')} as day),
            counted as (update posts set likes_count = likes_count - 1
                         where id in (select post_id from gone) returning id),
            ${LIKE_DAYS_OF_GONE_POSTGRES}
       select (select count(*) from gone) as n`,
      [userId],
    ),
  );
}

async function eraseLikesSqlite(trx: Knex, userId: number): Promise<number> {
  await forgetLikesOfUserSqlite(trx, userId);
  await trx('posts')
    .whereIn('id', trx('likes').select('post_id').where('user_id', userId))
    .update({ likes_count: trx.raw('likes_count - 1') });
  return trx('likes').where('user_id', userId).delete();
}

async function eraseCommentsPostgres(trx: Knex, userId: number): Promise<number> {
  return countOf(
    await selectRows<{ n: number | string }>(
      trx,
      `with gone as (delete from comments where author_id = ? returning post_id),
            per_post as (select post_id, count(*) as n from gone group by post_id),
            counted as (update posts set comments_count = posts.comments_count - per_post.n
                          from per_post where posts.id = per_post.post_id returning posts.id)
       select (select count(*) from gone) as n`,
      [userId],
    ),
  );
}

async function eraseCommentsSqlite(trx: Knex, userId: number): Promise<number> {
  await trx.raw(
    `update posts set comments_count = comments_count -
       (select count(*) from comments where comments.post_id = posts.id and comments.author_id = ?)
     where id in (select post_id from comments where author_id = ?)`,
    [userId, userId],
  );
  return trx('comments').where('author_id', userId).delete();
}

async function eraseFollowsPostgres(trx: Knex, userId: number): Promise<number> {
  const following = countOf(
    await selectRows<{ n: number | string }>(
      trx,
      `with gone as (delete from follows where follower_id = ? returning followee_id),
            counted as (update users set followers_count = followers_count - 1
                         where id in (select followee_id from gone) returning id)
       select (select count(*) from gone) as n`,
      [userId],
    ),
  );
  const followers = countOf(
    await selectRows<{ n: number | string }>(
      trx,
      `with gone as (delete from follows where followee_id = ? returning follower_id),
            counted as (update users set following_count = following_count - 1
                         where id in (select follower_id from gone) returning id)
       select (select count(*) from gone) as n`,
      [userId],
    ),
  );
  return following + followers;
}

async function eraseFollowsSqlite(trx: Knex, userId: number): Promise<number> {
  await trx('users')
    .whereIn('id', trx('follows').select('followee_id').where('follower_id', userId))
    .update({ followers_count: trx.raw('followers_count - 1') });
  await trx('users')
    .whereIn('id', trx('follows').select('follower_id').where('followee_id', userId))
    .update({ following_count: trx.raw('following_count - 1') });
  return trx('follows').where('follower_id', userId).orWhere('followee_id', userId).delete();
}

/** Id fields of event payloads that never name a user. */
const NOT_USER_IDS = [
  'post_id',
  'post_ids',
  'comment_id',
  'comment_ids',
  'session_id',
  'job_id',
  'inbox_id',
  'inbox_ids',
];

/**
 * Deletes the recorded events (`plaza_events`, PostgreSQL's bus) whose payload names the user
 * in an id field (`user_id`, `by_user_id`, `author_id`, `liker_ids`…: any `…_id` or `…_ids`
 * but a post's, comment's, session's or job's), `user.deleted` excepted: it is how the other
 * instances hear of the deletion. Events are pruned after an hour anyway; these go at once,
 * enrichment outcomes carrying a profile.
 */
export async function forgetEventsOf(db: Knex, userId: number): Promise<void> {
  await db.raw(
    `delete from plaza_events
      where type <> 'user.deleted' and payload like ? and exists (
        select 1 from jsonb_each(case when jsonb_typeof(payload::jsonb) = 'object'
                                      then payload::jsonb else '{}'::jsonb end) as field
         where field.key ~ '_(id|ids)$' and field.key not in (${NOT_USER_IDS.map(() => '?').join(', ')})
           and field.value @> to_jsonb(?::bigint))`,
    [`%${userId}%`, ...NOT_USER_IDS, userId],
  );
}
