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
 * The realistic database's size. Active users write, follow, like and comment; the other
 * users only like the one much-liked post (a like is a (post, user) pair, so 200,000 likes
 * need 200,000 users).
 */
export const SOCIAL_SIZE = {
  activeUsers: 10_000,
  posts: 200_000,
  /** Follows per active user: `spreadFollows` over the active users, `popularFollows` of the 100 first. */
  spreadFollows: 40,
  popularFollows: 10,
  /** Accounts that `popularFollows` go to: about 1,000 followers each. */
  popularAccounts: 100,
  /** Post n has n mod 6 likes (0 to 5, 2.5 on average) by active users. */
  likesCycle: 6,
  /** One post in `commentEvery` has a comment. */
  commentEvery: 2,
  /** Likes of the much-liked post: one per user, so the users number as many. */
  heavyLikes: 200_000,
} as const;

/** Bump when the seed's content changes: a cached file of another version is rebuilt. */
const SEED_VERSION = 1;
/** scrypt cost of the users' shared password hash: logins are quick, and nothing re-hashes. */
export const SOCIAL_SCRYPT_LOG_N = 10;

/** What the bench needs to know of a seeded database besides its file. */
export interface SocialSeed {
  /** Every user's password (they share one hash). */
  readonly password: string;
  /** The much-liked post, and a post nobody liked, by the same author. */
  readonly heavyPostId: number;
  readonly unlikedPostId: number;
  /** Rows of each table, as counted after the seed. */
  readonly rows: Readonly<Record<string, number>>;
  /** Seconds it took to build, and whether this run built it or copied it from the cache. */
  readonly buildSeconds: number;
  readonly fromCache: boolean;
}

type SeedFacts = Omit<SocialSeed, 'fromCache'>;

const lorem =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ' +
  'ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ' +
  'ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in ' +
  'reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.';

/**
 * The rows, written by SQL that generates them (no row crosses from JavaScript): users
 * 2..N beside user 1 (signed up through Plaza, whose password hash they share), posts by
 * active users spread over a year, follows, likes, comments, then the kept counts set from
 * the rows as Plaza's writes would have kept them.
 */
function seedStatements(passwordHash: string, now: number): string[] {
  const size = SOCIAL_SIZE;
  const users = Math.max(size.heavyLikes, size.activeUsers);
  const yearAgo = now - 365 * 86_400;
  const step = (365 * 86_400) / size.posts;
  const active = size.activeUsers;
  const spread = active - size.popularAccounts;
  const hash = passwordHash.replace(/'/g, "''");
  const heavyPost = size.posts + 1;
  return [
    `${sequence(users)}
     insert into users (id, username, username_key, email, email_verdict, password_hash,
                        first_name, last_name, avatar, created_at, updated_at)
     select n, 'u' || n, 'u' || n, 'u' || n || '@example.com', 'skipped', '${hash}',
            case when n <= ${active} then 'First' || n end,
            case when n <= ${active} then 'Last' || n end,
            case when n <= ${active} and n % 3 = 0 then 'https://example.com/avatars/' || n || '.png' end,
            ${isoAt(`${yearAgo - 86_400} + n`)}, ${isoAt(`${yearAgo - 86_400} + n`)}
       from seq where n > 1`,
    // Post n by user (n * 7919 mod active) + 1: twenty posts each, spread over the year.
    `${sequence(size.posts)}
     insert into posts (id, author_id, title, text, link, posted_at, edited_at)
     select n, (n * 7919) % ${active} + 1, 'Post number ' || n,
            'Post ' || n || ': ' || substr('${lorem}', 1 + n % 60, 220),
            case when n % 10 = 0 then 'https://example.com/links/' || n end,
            ${isoAt(`${yearAgo} + cast(n * ${step} as integer)`)},
            ${isoAt(`${yearAgo} + cast(n * ${step} as integer)`)}
       from seq`,
    // The much-liked post and the unliked one, newest of all, by user 2.
    `insert into posts (id, author_id, title, text, link, posted_at, edited_at)
     values (${heavyPost}, 2, 'The most liked post', 'Everybody likes this one.', null,
             ${isoAt(String(now - 60))}, ${isoAt(String(now - 60))}),
            (${heavyPost + 1}, 2, 'A post nobody liked', 'Nobody likes this one.', null,
             ${isoAt(String(now - 30))}, ${isoAt(String(now - 30))})`,
    // Active user u follows `spreadFollows` users among 101..active (step 197, coprime with
    // their number, so no two are the same), then `popularFollows` of users 1..100.
    `${sequence(active * size.spreadFollows)}
     insert into follows (follower_id, followee_id, created_at)
     select follower, followee, ${isoAt(`${yearAgo} + n`)} from (
       select n, (n - 1) / ${size.spreadFollows} + 1 as follower,
              ${size.popularAccounts + 1} + (((n - 1) / ${size.spreadFollows} + 1)
                + ((n - 1) % ${size.spreadFollows} + 1) * 197) % ${spread} as followee
         from seq) where follower <> followee`,
    `${sequence(active * size.popularFollows)}
     insert into follows (follower_id, followee_id, created_at)
     select follower, followee, ${isoAt(`${yearAgo} + n`)} from (
       select n, (n - 1) / ${size.popularFollows} + 1 as follower,
              1 + (((n - 1) / ${size.popularFollows} + 1)
                + ((n - 1) % ${size.popularFollows} + 1) * 7) % ${size.popularAccounts} as followee
         from seq) where follower <> followee`,
    // Post p gets p mod 6 likes, by users (p * 31 + j * 977) mod active + 1, j = 1..5.
    `${sequence(size.posts * (size.likesCycle - 1))}
     insert into likes (post_id, user_id, created_at)
     select post, (post * 31 + j * 977) % ${active} + 1, ${isoAt(`${yearAgo} + post * ${Math.ceil(step)} + j`)} from (
       select (n - 1) / ${size.likesCycle - 1} + 1 as post, (n - 1) % ${size.likesCycle - 1} + 1 as j
         from seq) where j <= post % ${size.likesCycle}`,
    `${sequence(size.heavyLikes)}
     insert into likes (post_id, user_id, created_at)
     select ${heavyPost}, n, ${isoAt(`${now - 60} + n / 10000.0`)} from seq`,
    `${sequence(size.posts / size.commentEvery)}
     insert into comments (post_id, author_id, text, created_at)
     select n * ${size.commentEvery}, (n * 13) % ${active} + 1,
            'A comment on post ' || (n * ${size.commentEvery}) || ': ' || substr('${lorem}', 1 + n % 40, 80),
            ${isoAt(`${yearAgo} + cast(n * ${size.commentEvery} * ${step} as integer) + 600`)}
       from seq`,
    // The kept counts, as the writes that made these rows would have kept them.
    `update posts set
       likes_count = (select count(*) from likes where likes.post_id = posts.id),
       comments_count = (select count(*) from comments where comments.post_id = posts.id)`,
    `update users set
       followers_count = (select count(*) from follows where follows.followee_id = users.id),
       following_count = (select count(*) from follows where follows.follower_id = users.id)
     where id <= ${active}`,
    // The likes per UTC day, as Plaza keeps them (one total row per day on SQLite).
    `insert into like_days (post_id, author_id, day, likes)
     select likes.post_id, posts.author_id, strftime('%Y-%m-%d', likes.created_at), count(*)
       from likes join posts on posts.id = likes.post_id
      group by likes.post_id, posts.author_id, strftime('%Y-%m-%d', likes.created_at)`,
    `insert into like_day_totals (day, shard, likes)
     select day, 0, sum(likes) from like_days group by day`,
  ];
}

const TABLES = ['users', 'posts', 'follows', 'likes', 'comments'] as const;

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
async function build(file: string, jwtSecret: string): Promise<SeedFacts> {
  const started = performance.now();
  const databaseUrl = `sqlite:${file}`;
  const password = randomBytes(18).toString('base64url');
  // User 1 signs up through Plaza, which also migrates the file: its hash is the real thing.
  const plaza = await seedPlaza(databaseUrl, jwtSecret, SOCIAL_SCRYPT_LOG_N);
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
    await db.raw("update users set first_name = 'First1', last_name = 'Last1' where id = 1");
    await db.transaction(async (trx) => {
      for (const sql of seedStatements(first.password_hash, Math.floor(Date.now() / 1000))) {
        await trx.raw(sql);
      }
    });
    const rows = await countRows(db);
    // Everything into the main file, so that copying it copies the database.
    await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
    return {
      password,
      heavyPostId: SOCIAL_SIZE.posts + 1,
      unlikedPostId: SOCIAL_SIZE.posts + 2,
      rows,
      buildSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await db.destroy();
  }
}

/**
 * The realistic database as a SQLite file in `dir` (`social.sqlite`): copied from a file
 * built earlier for the same seed and schema (in the system's temporary folder), or built
 * now (about a minute) and kept there for the next run.
 *
 * @example const { file, seed } = await socialDatabase(dir, jwtSecret)
 */
export async function socialDatabase(
  dir: string,
  jwtSecret: string,
  log: (line: string) => void = console.log,
): Promise<{ readonly file: string; readonly seed: SocialSeed }> {
  const file = join(dir, 'social.sqlite');
  const seed = await cachedSeedDatabase({
    file,
    prefix: 'social-',
    key: await seedKey(dir, { SEED_VERSION, SOCIAL_SIZE }),
    what: 'the realistic database',
    build: () => build(file, jwtSecret),
    log,
  });
  return { file, seed };
}
