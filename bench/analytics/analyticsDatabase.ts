import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openDatabase, selectRows } from '@plaza/testkit';
import type { Knex } from 'knex';
import {
  cachedSeedDatabase,
  isoAt,
  seedKey,
  seedPlaza,
  sequence,
} from '../support/seedDatabaseCache.js';

/**
 * The analytics cases' databases: `likes` likes (1 or 10 million) on 200,000 posts by 20,000
 * users, over the last year. Post p is posted at an even step through the year and liked
 * `likes / posts` times (5 or 50) by distinct users in the 42 hours after it, as likes come
 * to a post while it is new; so the likes of a day are the likes of that day's posts.
 */
export const ANALYTICS_SIZE = {
  users: 20_000,
  posts: 200_000,
  /** Seconds between two likes of one post. */
  likeSpacingSeconds: 3_000,
} as const;

/** Bump when the seed's content changes: a cached file of another version is rebuilt. */
const SEED_VERSION = 2;
/** scrypt cost of the users' shared password hash: logins are quick. */
export const ANALYTICS_SCRYPT_LOG_N = 10;

export interface AnalyticsSeed {
  /** The password of `u1`, whose token the case sends. */
  readonly password: string;
  /** The last day with likes (UTC, YYYY-MM-DD): the year asked for ends on it. */
  readonly lastDay: string;
  readonly rows: Readonly<Record<string, number>>;
  /** Seconds it took to build, and whether this run built it or copied it from the cache. */
  readonly buildSeconds: number;
  readonly fromCache: boolean;
}

type SeedFacts = Omit<AnalyticsSeed, 'fromCache'>;

/**
 * The rows, by SQL that generates them (no row crosses from JavaScript): users 2..N sharing
 * user 1's password hash, posts, likes, the posts' kept counts, and the likes per day kept as
 * Plaza keeps them (what its migration's backfill computes, in one statement each).
 */
function seedStatements(passwordHash: string, likes: number, now: number): string[] {
  const size = ANALYTICS_SIZE;
  const perPost = likes / size.posts;
  const yearAgo = now - 365 * 86_400;
  // The last post's last like is made an hour before now.
  const step = Math.floor((365 * 86_400 - perPost * size.likeSpacingSeconds - 3_600) / size.posts);
  const hash = passwordHash.replace(/'/g, "''");
  return [
    `${sequence(size.users)}
     insert into users (id, username, username_key, username_skeleton, email, email_verdict,
                        password_hash, created_at, updated_at)
     select n, 'u' || n, 'u' || n, 'u' || n, 'u' || n || '@example.com', 'skipped', '${hash}',
            ${isoAt(`${yearAgo - 86_400} + n`)}, ${isoAt(`${yearAgo - 86_400} + n`)}
       from seq where n > 1`,
    `${sequence(size.posts)}
     insert into posts (id, author_id, title, text, link, posted_at, edited_at)
     select n, (n * 7919) % ${size.users} + 1, 'Post number ' || n, 'A post to like.', null,
            ${isoAt(`${yearAgo} + n * ${step}`)}, ${isoAt(`${yearAgo} + n * ${step}`)}
       from seq`,
    // Like j (0..perPost-1) of post p: by user (j * 389 + p * 31) mod users + 1 (distinct for
    // each j, as 389 * perPost < users), `likeSpacingSeconds` after the previous one.
    `${sequence(perPost)}
     insert into likes (post_id, user_id, created_at)
     select posts.id, ((seq.n - 1) * 389 + posts.id * 31) % ${size.users} + 1,
            ${isoAt(`${yearAgo} + posts.id * ${step} + seq.n * ${size.likeSpacingSeconds}`)}
       from posts cross join seq
      order by posts.id, seq.n`,
    `update posts set likes_count = ${perPost}`,
    `insert into like_days (post_id, author_id, day, likes)
     select likes.post_id, posts.author_id, strftime('%Y-%m-%d', likes.created_at), count(*)
       from likes join posts on posts.id = likes.post_id
      group by likes.post_id, posts.author_id, strftime('%Y-%m-%d', likes.created_at)`,
    // One row per day on SQLite (likeDayShards).
    `insert into like_day_totals (day, shard, likes)
     select day, 0, sum(likes) from like_days group by day`,
  ];
}

const TABLES = ['users', 'posts', 'likes', 'like_days', 'like_day_totals'] as const;

async function countRows(db: Knex): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await selectRows<{ count: number | string }>(
      db,
      `select count(*) as count from ${table}`,
    );
    rows[table] = Number(row?.count ?? 0);
  }
  return rows;
}

/** Builds the database in `file` (which must not exist); returns what the bench needs of it. */
async function build(file: string, likes: number, jwtSecret: string): Promise<SeedFacts> {
  const started = performance.now();
  const databaseUrl = `sqlite:${file}`;
  const password = randomBytes(18).toString('base64url');
  // User 1 signs up through Plaza, which also migrates the file: its hash is the real thing.
  const plaza = await seedPlaza(databaseUrl, jwtSecret, ANALYTICS_SCRYPT_LOG_N);
  try {
    await plaza.users.signUp({ username: 'u1', password, email: 'u1@example.com' });
  } finally {
    await plaza.close();
  }
  const db = openDatabase(databaseUrl, { busyTimeoutMs: 10_000 });
  try {
    const [first] = await selectRows<{ password_hash: string }>(
      db,
      "select password_hash from users where username_key = 'u1'",
    );
    if (first === undefined) throw new Error('the seed user u1 was not signed up');
    const now = Math.floor(Date.now() / 1000);
    // A cache large enough for the likes' indexes: the build then hardly waits on the disk.
    await db.raw('PRAGMA cache_size = -1000000');
    await db.transaction(async (trx) => {
      for (const sql of seedStatements(first.password_hash, likes, now)) await trx.raw(sql);
    });
    const rows = await countRows(db);
    const [last] = await selectRows<{ day: string }>(db, 'select max(day) as day from like_days');
    await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
    return {
      password,
      lastDay: last?.day ?? new Date(now * 1000).toISOString().slice(0, 10),
      rows,
      buildSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await db.destroy();
  }
}

/**
 * The database with `likes` likes as a SQLite file in `dir`: copied from a file built earlier
 * for the same seed and schema (in the system's temporary folder), or built now and kept.
 *
 * @example const { file, seed } = await analyticsDatabase(dir, 1_000_000, jwtSecret)
 */
export async function analyticsDatabase(
  dir: string,
  likes: number,
  jwtSecret: string,
  log: (line: string) => void = console.log,
): Promise<{ readonly file: string; readonly seed: AnalyticsSeed }> {
  const file = join(dir, `analytics-${likes}.sqlite`);
  const seed = await cachedSeedDatabase({
    file,
    prefix: `analytics-${likes}-`,
    key: await seedKey(dir, { SEED_VERSION, ANALYTICS_SIZE, likes }),
    what: `the database of ${likes.toLocaleString('en-US')} likes`,
    build: () => build(file, likes, jwtSecret),
    log,
  });
  return { file, seed };
}
