import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { isDatabaseBusy } from '../adapters/db/dbErrors.js';
import { selectRows } from '../adapters/db/selectRows.js';
import { overloaded } from '../errors.js';
import type { Logger } from '../logger.js';
import { assertRate, MINUTE_MS, type RateLimitStore } from './RateLimitStore.js';

const TABLE = 'rate_limits';
/** Longer keys are stored as their SHA-256, to fit the column. */
const MAX_KEY_LENGTH = 200;
/** The most rows one sweep deletes; a full batch lets the next take sweep again. */
const SWEEP_BATCH = 1000;

interface TakenRow {
  readonly tat: number | string;
  readonly admitted: number | string;
}

/**
 * The take, as one statement: GCRA, the token bucket kept as the one time `tat` at which the
 * bucket is full again. A request is admitted while `tat` is at most `burst - interval` ahead
 * of now (a token left), and moves `tat` one interval on from now or from itself, whichever
 * is later; a refused one leaves `tat` where it was. In `DO UPDATE`, `rate_limits.x` is the
 * row as it was, on SQLite (3.35+) and PostgreSQL alike, and the row stays locked until the
 * statement ends, so concurrent takes, by this process or another, are all counted.
 * (The cast: PostgreSQL cannot tell a bare parameter's type inside CASE.)
 */
const TAKE_SQL = `insert into ${TABLE} (key, tat, admitted)
values (:key, :firstTat, 1)
on conflict (key) do update set
  tat = case when ${TABLE}.tat <= :latestAdmittedTat
    then (case when ${TABLE}.tat > :now then ${TABLE}.tat else cast(:now as bigint) end) + :intervalMs
    else ${TABLE}.tat end,
  admitted = case when ${TABLE}.tat <= :latestAdmittedTat then 1 else 0 end
returning tat, admitted`;

/**
 * Request-rate buckets in the database, so that every process on it enforces one limit
 * (several Plaza instances on one PostgreSQL behind a load balancer). Each take is a single
 * `INSERT … ON CONFLICT DO UPDATE … RETURNING`; rows of buckets that are full again are swept
 * now and then, a bounded batch at a time, without a timer. Times come from the caller's
 * clock, so processes should keep theirs in step (NTP); a skew of a second or two only
 * moves a limit by that much.
 *
 * A database that stays busy past its timeout makes a take fail with OFF_01 (safe to retry),
 * as every other request that needs the database would; other errors are thrown as they are.
 *
 * @example const wait = await new DatabaseRateLimitStore(db, logger).take('signup:ip:192.0.2.7', 20)
 */
export class DatabaseRateLimitStore implements RateLimitStore {
  readonly #db: Knex;
  readonly #logger: Logger;
  #sweepDueAt = Number.NEGATIVE_INFINITY;

  constructor(db: Knex, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
  }

  async take(key: string, perMinute: number, now = Date.now()): Promise<number> {
    assertRate(perMinute);
    if (perMinute === 0) return 0;
    // Whole milliseconds, rounded up so that the rate is never above `perMinute`; the burst is
    // exactly `perMinute` requests.
    const intervalMs = Math.ceil(MINUTE_MS / perMinute);
    const burstMs = perMinute * intervalMs;
    let row: TakenRow | undefined;
    try {
      [row] = await selectRows<TakenRow>(this.#db, TAKE_SQL, {
        key: key.length > MAX_KEY_LENGTH ? hashed(key) : key,
        now,
        intervalMs,
        firstTat: now + intervalMs,
        latestAdmittedTat: now + burstMs - intervalMs,
      });
    } catch (error) {
      throw isDatabaseBusy(error) ? overloaded(error) : error;
    }
    if (row === undefined) throw new Error('The rate-limit statement returned no row.');
    await this.#sweep(now);
    if (Number(row.admitted) === 1) return 0;
    // Admitted again once tat <= then + burst - interval.
    return Math.max(1, Math.ceil((Number(row.tat) + intervalMs - burstMs - now) / 1000));
  }

  /**
   * At most once a minute (sooner while there is a backlog), deletes up to a batch of rows
   * whose bucket has been full for a minute: they hold nothing a new row would not. The
   * minute's margin keeps a process whose clock runs ahead from forgetting buckets others
   * still count. A failed sweep fails nothing: the rows wait for the next one.
   */
  async #sweep(now: number): Promise<void> {
    if (now < this.#sweepDueAt) return;
    this.#sweepDueAt = now + MINUTE_MS;
    const fullBefore = now - MINUTE_MS;
    try {
      const stale = this.#db(TABLE).select('key').where('tat', '<=', fullBefore).limit(SWEEP_BATCH);
      // The outer condition again: a row a concurrent take has just moved on stays.
      const deleted = await this.#db(TABLE)
        .where('tat', '<=', fullBefore)
        .whereIn('key', stale)
        .delete();
      if (deleted >= SWEEP_BATCH) this.#sweepDueAt = now;
    } catch (error) {
      this.#logger.warn({ err: error }, 'rate limits: sweeping stale buckets failed');
    }
  }
}

const hashed = (key: string): string => `sha256:${createHash('sha256').update(key).digest('hex')}`;
