import knex, { type Knex } from 'knex';

/**
 * Opens a Plaza SQLite file from the test's side, on one connection kept for the handle's
 * life (so `PRAGMA data_version` compares like with like). Destroy it when done.
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

/** Changes whenever another connection commits to the file; costs no table reads. */
export async function dataVersion(db: Knex): Promise<number> {
  const rows = await db.raw<Array<{ data_version: number }>>('PRAGMA data_version');
  return rows[0]?.data_version ?? -1;
}

/** SQLite's own verdict on the file: `'ok'` or the list of problems, one a line. */
export async function integrityCheck(db: Knex): Promise<string> {
  const rows = await db.raw<Array<{ integrity_check: string }>>('PRAGMA integrity_check');
  return rows.map((row) => row.integrity_check).join('\n');
}

/** Rows that point at rows that do not exist (empty when the foreign keys hold). */
export async function foreignKeyProblems(db: Knex): Promise<unknown[]> {
  return db.raw<unknown[]>('PRAGMA foreign_key_check');
}

// One statement over the tables a request can change: counts, highest ids, sums of lengths
// and values, latest timestamps. Any insert, delete or edit of a row moves at least one.
// octet_length does not read long texts, so the cost stays flat as posts pile up.
const FINGERPRINT_SQL = `
select
  (select json_array(count(*), max(id), total(length(username)), total(length(email)),
      total(length(password_hash)), max(updated_at), total(lat), total(lng),
      total(length(coalesce(first_name, '') || coalesce(last_name, '') || coalesce(location, '')
        || coalesce(city, '') || coalesce(state, '') || coalesce(country, '') || coalesce(site, '')
        || coalesce(avatar, '') || coalesce(birth_date, ''))), total(octet_length(bio)))
    from users) as users,
  (select json_array(count(*), max(id), total(author_id), total(length(title)),
      total(octet_length(text)), total(length(link)), max(edited_at))
    from posts) as posts,
  (select json_array(count(*), total(post_id * 1000003 + user_id), max(created_at))
    from likes) as likes,
  (select json_array(count(*), max(id), total(attempts), max(updated_at),
      total(state = 'pending'), total(state = 'running'))
    from enrichment_jobs) as enrichment_jobs`;

/**
 * A cheap summary of users, posts, likes and enrichment jobs: equal before and after a
 * request means the request changed none of them.
 */
export async function contentFingerprint(db: Knex): Promise<string> {
  const rows = await db.raw<Array<Record<string, string>>>(FINGERPRINT_SQL);
  return JSON.stringify(rows[0]);
}
