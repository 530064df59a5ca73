import { statSync } from 'node:fs';
import type { SqliteConnection } from './statementCache.js';

/** Why writes are refused: the file SQLite writes to is no longer the database file. */
export const DATABASE_FILE_LOST_REASON =
  'the database file was deleted or replaced while the server ran';

/** A write refused because the database file under the open connection is gone. */
export class DatabaseFileLost extends Error {
  override readonly name = 'DatabaseFileLost';
  readonly code = 'PLAZA_DATABASE_FILE_LOST';
}

interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

type Callback = (this: unknown, error: Error | null, rows?: unknown) => void;

// A write outside a transaction commits at once and is checked before it runs; inside one,
// the COMMIT is checked instead (one stat per group commit, not one per write in it).
const WRITE = /^\s*(?:insert|update|delete|replace)\b/i;
const BEGIN = /^\s*begin\b/i;
const COMMIT = /^\s*(?:commit|end)\b/i;
const ROLLBACK = /^\s*rollback\s*;?\s*$/i;

const identityOf = (path: string): FileIdentity | undefined => {
  try {
    const { dev, ino } = statSync(path);
    return { dev, ino };
  } catch {
    return undefined;
  }
};

/**
 * Notices the SQLite file (or its WAL) deleted, moved or replaced under the running process.
 * SQLite keeps writing to the open, unlinked file in WAL mode, so the writes would be
 * acknowledged and then lost at the next start; once the file is gone, writes are refused
 * instead (SQLite stays readable) until a restart, and `lostReason()` says so for the health
 * check. One stat per commit: a few microseconds beside it.
 *
 * @example const guard = new DatabaseFileGuard('data/plaza.sqlite'); guard.watch(connection)
 */
export class DatabaseFileGuard {
  readonly #path: string;
  readonly #walPath: string;
  #file: FileIdentity | undefined;
  #wal: FileIdentity | undefined;
  #lost = false;
  readonly #onLost: () => void;

  constructor(path: string, onLost: () => void = () => undefined) {
    this.#path = path;
    this.#walPath = `${path}-wal`;
    this.#onLost = onLost;
  }

  /** Checks writes on this connection, just opened on the file. */
  watch(connection: SqliteConnection): void {
    this.#file ??= identityOf(this.#path);
    // Set once a BEGIN succeeds, cleared as soon as a COMMIT or ROLLBACK is sent: when in
    // doubt, writes are checked one by one.
    let inTransaction = false;
    const refuse = (callback: Callback): undefined => {
      callback.call(undefined, new DatabaseFileLost(DATABASE_FILE_LOST_REASON));
      return undefined;
    };
    const guard = (method: 'run' | 'all') => {
      const original = connection[method].bind(connection);
      connection[method] = (sql: string, params: unknown, callback: Callback) => {
        if (BEGIN.test(sql)) {
          return original(sql, params, function begun(this: unknown, error, rows) {
            inTransaction = error === null;
            callback.call(this, error, rows);
          });
        }
        if (COMMIT.test(sql)) {
          inTransaction = false;
          if (this.lostReason() !== undefined) {
            // Undone here: the caller hears of a failed COMMIT and sends no ROLLBACK.
            connection.exec('ROLLBACK', () => refuse(callback));
            return undefined;
          }
        } else if (ROLLBACK.test(sql)) {
          inTransaction = false;
        } else if (!inTransaction && WRITE.test(sql) && this.lostReason() !== undefined) {
          return refuse(callback);
        }
        return original(sql, params, callback);
      };
    };
    guard('run');
    guard('all');
  }

  /** Why the file can no longer be written, or undefined while it is the one opened. */
  lostReason(): string | undefined {
    if (this.#lost) return DATABASE_FILE_LOST_REASON;
    if (this.#file === undefined) return undefined;
    const file = identityOf(this.#path);
    // The WAL is created by the first write and stays while a connection is open.
    const wal = identityOf(this.#walPath);
    if (this.#wal === undefined && wal !== undefined) this.#wal = wal;
    if (sameFile(file, this.#file) && (this.#wal === undefined || sameFile(wal, this.#wal))) {
      return undefined;
    }
    this.#lost = true;
    this.#onLost();
    return DATABASE_FILE_LOST_REASON;
  }
}

const sameFile = (a: FileIdentity | undefined, b: FileIdentity): boolean =>
  a !== undefined && a.dev === b.dev && a.ino === b.ino;
