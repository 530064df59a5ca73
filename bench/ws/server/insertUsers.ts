import { openDatabase } from '@plaza/testkit';
import { benchEmail } from './wsServerProtocol.js';

/** Rows a statement inserts: 7 columns x 100 stays under SQLite's 999 bound parameters. */
const ROWS_PER_INSERT = 100;
/**
 * Nobody logs in as these users (the bench signs their tokens), so they share one
 * placeholder in scrypt-kdf's format; no password matches it.
 */
const NO_PASSWORD = 'c2NyeXB0AAoAAAAIAAAAAQ==';

/**
 * Inserts `count` users straight into a migrated Plaza database (SQLite or PostgreSQL, as
 * `databaseUrl` says), in one transaction, and returns their ids in order. Signing them up
 * would cost ~18 ms each here (zxcvbn + scrypt), 90 s for 5,000; this takes well under a
 * second. The database must hold no other users.
 *
 * @example const userIds = await insertUsers('sqlite:/tmp/plaza-bench-x/ws.sqlite', 5000)
 */
export async function insertUsers(databaseUrl: string, count: number): Promise<number[]> {
  // Plaza's worker may be reading its queue on its own connection meanwhile.
  const db = openDatabase(databaseUrl, { busyTimeoutMs: 10_000 });
  try {
    const at = new Date().toISOString();
    const rows = Array.from({ length: count }, (_, index) => ({
      username: `ws_user${index}`,
      username_key: `ws_user${index}`,
      email: benchEmail(index),
      email_verdict: 'skipped',
      password_hash: NO_PASSWORD,
      created_at: at,
      updated_at: at,
    }));
    await db.transaction(async (trx) => {
      for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
        await trx('users').insert(rows.slice(start, start + ROWS_PER_INSERT));
      }
    });
    // A fresh database: these are its only users, in the order inserted.
    const inserted = (await db('users').select('id').orderBy('id')) as Array<{ id: number }>;
    if (inserted.length !== count) {
      throw new Error(`expected ${count} users in ${databaseUrl}, found ${inserted.length}`);
    }
    return inserted.map((row) => row.id);
  } finally {
    await db.destroy();
  }
}
