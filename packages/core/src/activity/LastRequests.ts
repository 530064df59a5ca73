import type { Knex } from 'knex';
import { dialectOf, type Dialect } from '../adapters/db/createKnex.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logger.js';

/** How often the people seen since the last flush are written: once a minute. */
export const DEFAULT_LAST_REQUEST_FLUSH_MS = 60_000;

/** Shorter than this, the writes would come close to one per request again. */
const MIN_FLUSH_MS = 100;
const MAX_FLUSH_MS = 3_600_000;

/** People written by one statement; a flush of more runs several. */
const PEOPLE_PER_STATEMENT = 1000;

/** Runs `flush` once, `ms` from now; answers how to call it off. */
export type FlushTimer = (flush: () => void, ms: number) => () => void;

/** A real timer that never keeps the process alive on its own. */
const unrefTimer: FlushTimer = (flush, ms) => {
  const timer = setTimeout(flush, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface LastRequestsOptions {
  /** The database written to (its dialect picks the statement). */
  readonly db: Knex;
  /** Where the flushes are written (grouped with other writes on SQLite). */
  readonly writes: WriteBatcher;
  readonly logger: Logger;
  /** How long after the first request since the last flush the next flush runs. */
  readonly flushIntervalMs?: number;
  /** The clock requests are timed by (tests move it by hand). */
  readonly now?: () => number;
  /** Schedules the flushes (tests fire them by hand). */
  readonly timer?: FlushTimer;
}

/** The flush interval with its default; one that cannot work throws a ConfigError. */
export function lastRequestFlushMs(value: number | undefined): number {
  const ms = value ?? DEFAULT_LAST_REQUEST_FLUSH_MS;
  if (!Number.isSafeInteger(ms) || ms < MIN_FLUSH_MS || ms > MAX_FLUSH_MS) {
    throw new ConfigError(
      `lastRequestFlushMs must be a whole number of milliseconds from ${MIN_FLUSH_MS} to ${MAX_FLUSH_MS}; it is ${ms}.`,
    );
  }
  return ms;
}

/**
 * When each person last made an authenticated request (`users.last_request_at`), without a
 * database write per request: `note` keeps the newest time per person in memory, and one
 * flush, `flushIntervalMs` after the first request since the previous flush, writes everyone
 * noted meanwhile in one statement (per thousand people). So each person costs at most one
 * write per interval, however many requests they make, and an idle instance sets no timer.
 * `close()` flushes what is pending, as Plaza's graceful close does before the database goes.
 *
 * A time not yet written is this process's alone: `pendingOf` gives it to readers here;
 * other instances see it once it is flushed, within an interval. Written times only move
 * forward, so an instance flushing an older time for someone does not undo a newer one.
 *
 * @example lastRequests.note(userId) // on every authenticated request; no I/O
 */
export class LastRequests {
  readonly #dialect: Dialect;
  readonly #writes: WriteBatcher;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #timer: FlushTimer;
  /** Noted since the last flush began: person → newest time (ms). */
  #pending = new Map<number, number>();
  /** Taken by the flush under way, until it is written. */
  #writing = new Map<number, number>();
  #cancelTimer: (() => void) | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(options: LastRequestsOptions) {
    this.#dialect = dialectOf(options.db);
    this.#writes = options.writes;
    this.#logger = options.logger;
    this.#intervalMs = lastRequestFlushMs(options.flushIntervalMs);
    this.#now = options.now ?? Date.now;
    this.#timer = options.timer ?? unrefTimer;
  }

  /** Notes a request of `userId` now. Synchronous and in memory only. */
  note(userId: number): void {
    if (this.#closed) return;
    const at = this.#now();
    const known = this.#pending.get(userId);
    // A clock set back does not move a person's last request back.
    if (known === undefined || at > known) this.#pending.set(userId, at);
    this.#cancelTimer ??= this.#timer(() => {
      this.#cancelTimer = undefined;
      void this.flush();
    }, this.#intervalMs);
  }

  /** The newest time noted here for `userId` and not yet written (ms), if any. */
  pendingOf(userId: number): number | undefined {
    const pending = this.#pending.get(userId);
    const writing = this.#writing.get(userId);
    if (pending === undefined) return writing;
    return writing === undefined ? pending : Math.max(pending, writing);
  }

  /** Drops what is pending for a deleted person: there is no row to write it to. */
  forget(userId: number): void {
    this.#pending.delete(userId);
    this.#writing.delete(userId);
  }

  /**
   * Writes everything pending now (after the flush under way, if any). A flush that fails
   * keeps its times pending for the next one, and is logged; it never rejects.
   */
  flush(): Promise<void> {
    const previous = this.#flushing ?? Promise.resolve();
    const flushing = previous.then(() => this.#flushPending());
    this.#flushing = flushing;
    void flushing.finally(() => {
      if (this.#flushing === flushing) this.#flushing = undefined;
    });
    return flushing;
  }

  /** Stops noting and the timer, and writes what is pending. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await this.flush();
  }

  async #flushPending(): Promise<void> {
    if (this.#pending.size === 0) return;
    this.#writing = this.#pending;
    this.#pending = new Map();
    const people = [...this.#writing];
    try {
      for (let start = 0; start < people.length; start += PEOPLE_PER_STATEMENT) {
        const chunk = people.slice(start, start + PEOPLE_PER_STATEMENT);
        await this.#writes.write((db) => writeLastRequests(db, this.#dialect, chunk));
      }
    } catch (error) {
      // Kept for the next flush (closing: there is none, and they are lost).
      for (const [userId, at] of this.#writing) {
        const newer = this.#pending.get(userId);
        if (newer === undefined || newer < at) this.#pending.set(userId, at);
      }
      this.#logger.warn(
        { err: error, people: people.length, retry: !this.#closed },
        'last request times could not be written',
      );
      if (!this.#closed && this.#cancelTimer === undefined) {
        this.#cancelTimer = this.#timer(() => {
          this.#cancelTimer = undefined;
          void this.flush();
        }, this.#intervalMs);
      }
    } finally {
      this.#writing = new Map();
    }
  }
}

/**
 * One statement for many people: each gets the time given, unless the stored one is newer.
 * People no longer there (deleted meanwhile) match no row and are skipped.
 */
function writeLastRequests(
  db: Knex,
  dialect: Dialect,
  people: ReadonlyArray<readonly [number, number]>,
): Knex.Raw {
  const rows = JSON.stringify(people.map(([id, at]) => ({ id, at: new Date(at).toISOString() })));
  if (dialect === 'postgres') {
    return db.raw(
      `update users as u set last_request_at = v.at
         from jsonb_to_recordset(?::jsonb) as v(id bigint, at timestamptz)
        where u.id = v.id and (u.last_request_at is null or u.last_request_at < v.at)`,
      [rows],
    );
  }
  // Times are stored as ISO 8601 text in UTC, which orders as the times do.
  return db.raw(
    `update users set last_request_at = j.value ->> '$.at'
       from json_each(?) as j
      where users.id = j.value ->> '$.id'
        and (users.last_request_at is null or users.last_request_at < j.value ->> '$.at')`,
    [rows],
  );
}
