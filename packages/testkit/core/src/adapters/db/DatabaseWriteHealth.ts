import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseFileGuard } from './DatabaseFileGuard.js';
import { DISK_FULL_REASON, unwritableReason } from './dbErrors.js';

/**
 * Free space below which a disk that filled up is taken as still full: a small probe write
 * can fit in the room a larger failed write left, and say nothing of the next post.
 */
export const MIN_FREE_BYTES_AFTER_FULL = 1024 * 1024;

/**
 * Whether the database takes writes, as the last writes found it: a write refused for a
 * reason of storage (a full disk, an I/O error, a read-only file) makes it unwritable until
 * a write commits again; a database file lost under the process makes it so until a restart.
 *
 * @example if (writeHealth.unwritable() !== undefined) failTheHealthCheck()
 */
export class DatabaseWriteHealth {
  readonly #guard: DatabaseFileGuard | undefined;
  readonly #databaseFile: string | undefined;
  #failing: string | undefined;

  /** `databaseFile`: a SQLite file, whose disk's free space is looked at after it filled. */
  constructor(guard?: DatabaseFileGuard, databaseFile?: string) {
    this.#guard = guard;
    this.#databaseFile = databaseFile;
  }

  /** A database operation failed: remembered if storage refused it. */
  noteFailure(error: unknown): void {
    const reason = unwritableReason(error);
    if (reason !== undefined) this.#failing = reason;
  }

  /** A write committed: storage takes writes again. */
  noteCommitted(): void {
    this.#failing = undefined;
  }

  /** Why writes fail now, in words for an operator, or undefined when they do not. */
  unwritable(): string | undefined {
    return this.#guard?.lostReason() ?? this.#failing;
  }

  /**
   * Whether a probe write could show storage recovered: not once the file is lost (only a
   * restart cures that), nor while a disk that filled up still has little room.
   */
  worthProbing(): boolean {
    if (this.#guard?.lostReason() !== undefined) return false;
    if (this.#failing !== DISK_FULL_REASON || this.#databaseFile === undefined) return true;
    try {
      const { bavail, bsize } = statfsSync(dirname(this.#databaseFile));
      return bavail * bsize >= MIN_FREE_BYTES_AFTER_FULL;
    } catch {
      return true;
    }
  }
}
