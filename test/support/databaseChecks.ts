import knex, { type Knex } from 'knex';
import { dialectOf, openDatabase, selectRows as rawRows } from '@plaza/testkit';

export { openDatabase };

/** Plaza's schema on PostgreSQL: the first of the connection's search path. */
const SCHEMA_OID = '(select oid from pg_namespace where nspname = current_schema())';

const isPostgres = (db: Knex): boolean => dialectOf(db) === 'postgres';

/**
 * Opens a Plaza SQLite file from the test's side, as a second writer with no busy timeout
 * of its own, on one connection kept for the handle's life. Destroy it when done.
 *
 * @example const db = openDatabaseFile(file); t.teardown(() => db.destroy())
 */
export function openDatabaseFile(file: string): Knex {
  return knex({
    client: 'sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: { min: 1, max: 1, idleTimeoutMillis: Number.MAX_SAFE_INTEGER },
  });
}

/**
 * Changes whenever anything may have been committed, and costs no table reads: SQLite's
 * `data_version` (commits by other connections to the file), PostgreSQL's WAL insert
 * position (every write of the whole cluster, so it also moves for other tests' writes).
 * Equal before and after a request means the request committed nothing.
 */
export async function commitMarker(db: Knex): Promise<string> {
  if (isPostgres(db)) {
    const rows = await rawRows<{ lsn: string }>(db, 'select pg_current_wal_insert_lsn() as lsn');
    return rows[0]?.lsn ?? '';
  }
  const rows = await rawRows<{ data_version: number }>(db, 'PRAGMA data_version');
  return String(rows[0]?.data_version ?? -1);
}

/**
 * The database's own verdict: `'ok'` or the problems, one a line. SQLite checks its file
 * (`PRAGMA integrity_check`); PostgreSQL checks that every B-tree index of Plaza's schema
 * holds exactly the rows of its table (amcheck's `bt_index_check` with `heapallindexed`).
 */
export async function integrityCheck(db: Knex): Promise<string> {
  if (!isPostgres(db)) {
    const rows = await rawRows<{ integrity_check: string }>(db, 'PRAGMA integrity_check');
    return rows.map((row) => row.integrity_check).join('\n');
  }
  await createAmcheck(db);
  const indexes = await rawRows<{ name: string }>(
    db,
    `select c.oid::regclass::text as name
       from pg_index i
       join pg_class c on c.oid = i.indexrelid
       join pg_am am on am.oid = c.relam
      where am.amname = 'btree' and c.relnamespace = ${SCHEMA_OID}`,
  );
  if (indexes.length === 0) return 'no indexes found in the schema';
  const problems: string[] = [];
  for (const { name } of indexes) {
    try {
      await db.raw('select public.bt_index_check(?::regclass, true)', [name]);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
  }
  return problems.length === 0 ? 'ok' : problems.join('\n');
}

/** amcheck lives in the database, which the tests' schemas share: created once, raced. */
async function createAmcheck(db: Knex): Promise<void> {
  try {
    await db.raw('create extension if not exists amcheck with schema public');
  } catch (error) {
    // Two tests creating it at once: one wins, the other sees its catalog row.
    if (!/already exists|duplicate key value/.test((error as Error).message)) throw error;
  }
}

// Plaza's foreign keys, each of one column, as PostgreSQL's catalog knows them.
const FOREIGN_KEYS_SQL = `
select child.relname as "table", a.attname as "column",
       parent.relname as parent, pa.attname as "parentColumn"
  from pg_constraint c
  join pg_class child on child.oid = c.conrelid
  join pg_class parent on parent.oid = c.confrelid
  join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
  join pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = c.confkey[1]
 where c.contype = 'f' and c.connamespace = ${SCHEMA_OID}`;

interface ForeignKey {
  readonly table: string;
  readonly column: string;
  readonly parent: string;
  readonly parentColumn: string;
}

/**
 * Rows that point at rows that do not exist (empty when the foreign keys hold): SQLite's
 * `PRAGMA foreign_key_check`; on PostgreSQL, which enforces them itself, a look for orphans
 * along each foreign key of Plaza's schema.
 */
export async function foreignKeyProblems(db: Knex): Promise<unknown[]> {
  if (!isPostgres(db)) return rawRows(db, 'PRAGMA foreign_key_check');
  const keys = await rawRows<ForeignKey>(db, FOREIGN_KEYS_SQL);
  if (keys.length === 0) return ['no foreign keys found in the schema'];
  const problems: unknown[] = [];
  for (const { table, column, parent, parentColumn } of keys) {
    const orphans = await db(table)
      .whereNotExists(db(parent).whereRaw('??.?? = ??.??', [parent, parentColumn, table, column]))
      .select<Array<Record<string, unknown>>>(column);
    problems.push(...orphans.map((row) => ({ table, ...row })));
  }
  return problems;
}

// One statement over the tables a request can change: counts, highest ids, sums of lengths
// and values, latest timestamps. Any insert, delete or edit of a row moves at least one.
// octet_length does not read long texts, so the cost stays flat as posts pile up. Standard
// SQL, so that it runs on SQLite and PostgreSQL alike.
const FINGERPRINT_SQL = `
select
  (select count(*) from users) as users_count,
  (select max(id) from users) as users_max_id,
  (select sum(length(username)) from users) as users_usernames,
  (select sum(length(email)) from users) as users_emails,
  (select sum(length(password_hash)) from users) as users_hashes,
  (select max(updated_at) from users) as users_updated,
  (select sum(lat) from users) as users_lat,
  (select sum(lng) from users) as users_lng,
  (select sum(length(coalesce(first_name, '') || coalesce(last_name, '') || coalesce(location, '')
      || coalesce(city, '') || coalesce(state, '') || coalesce(country, '') || coalesce(site, '')
      || coalesce(avatar, '') || coalesce(birth_date, ''))) from users) as users_profiles,
  (select sum(octet_length(bio)) from users) as users_bios,
  (select count(*) from posts) as posts_count,
  (select max(id) from posts) as posts_max_id,
  (select sum(author_id) from posts) as posts_authors,
  (select sum(length(title)) from posts) as posts_titles,
  (select sum(octet_length(text)) from posts) as posts_texts,
  (select sum(length(link)) from posts) as posts_links,
  (select max(edited_at) from posts) as posts_edited,
  (select sum(likes_count) from posts) as posts_likes_counts,
  (select sum(comments_count) from posts) as posts_comments_counts,
  (select sum(followers_count) from users) as users_followers_counts,
  (select sum(following_count) from users) as users_following_counts,
  (select count(*) from follows) as follows_count,
  (select sum(cast(follower_id as bigint) * 1000003 + followee_id) from follows) as follows_pairs,
  (select count(*) from comments) as comments_count,
  (select max(id) from comments) as comments_max_id,
  (select sum(octet_length(text)) from comments) as comments_texts,
  (select count(*) from likes) as likes_count,
  (select sum(cast(post_id as bigint) * 1000003 + user_id) from likes) as likes_pairs,
  (select max(created_at) from likes) as likes_created,
  (select sum(likes) from like_days) as like_days_likes,
  (select sum(likes) from like_day_totals) as like_day_totals_likes,
  (select count(*) from enrichment_jobs) as jobs_count,
  (select max(id) from enrichment_jobs) as jobs_max_id,
  (select sum(attempts) from enrichment_jobs) as jobs_attempts,
  (select max(updated_at) from enrichment_jobs) as jobs_updated,
  (select sum(case when state = 'pending' then 1 else 0 end) from enrichment_jobs) as jobs_pending,
  (select sum(case when state = 'running' then 1 else 0 end) from enrichment_jobs) as jobs_running`;

/**
 * A cheap summary of users, posts, likes, follows, comments and enrichment jobs, and of the
 * counts kept with users and posts: equal before and after a request means the request
 * changed none of them.
 */
export async function contentFingerprint(db: Knex): Promise<string> {
  const rows = await rawRows<Record<string, unknown>>(db, FINGERPRINT_SQL);
  return JSON.stringify(rows[0]);
}

/**
 * Where the likes per day kept beside the likes (like_days per post, like_day_totals per day)
 * differ from a recount of the likes by the UTC day each was made (empty when they agree).
 */
export async function likeDayProblems(db: Knex): Promise<unknown[]> {
  const day = isPostgres(db)
    ? "to_char(likes.created_at at time zone 'UTC', 'YYYY-MM-DD')"
    : "strftime('%Y-%m-%d', likes.created_at)";
  const perPost = await rawRows(
    db,
    `select coalesce(kept.post_id, counted.post_id) as post_id, coalesce(kept.day, counted.day) as day,
            kept.likes as kept, counted.likes as counted
       from (select post_id, day, likes from like_days where likes <> 0) as kept
       full outer join (select post_id, ${day} as day, count(*) as likes from likes
                         group by post_id, ${day}) as counted
         on kept.post_id = counted.post_id and kept.day = counted.day
      where kept.likes is null or counted.likes is null or kept.likes <> counted.likes`,
  );
  const perDay = await rawRows(
    db,
    `select coalesce(kept.day, counted.day) as day, kept.likes as kept, counted.likes as counted
       from (select day, sum(likes) as likes from like_day_totals group by day having sum(likes) <> 0) as kept
       full outer join (select ${day} as day, count(*) as likes from likes group by ${day}) as counted
         on kept.day = counted.day
      where kept.likes is null or counted.likes is null or kept.likes <> counted.likes`,
  );
  return [...perPost, ...perDay];
}
