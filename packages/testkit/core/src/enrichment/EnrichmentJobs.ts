import type { Knex } from 'knex';
import { dialectOf } from '../adapters/db/createKnex.js';

export type EnrichmentJobState = 'pending' | 'running' | 'done' | 'failed';

/** A job a worker holds: it is `running` under a lease until the worker settles it. */
export interface ClaimedJob {
  readonly id: number;
  readonly user_id: number;
  /** Tries so far, this one included. */
  readonly attempts: number;
  readonly created_at: string;
}

export interface EnrichmentJobRow extends ClaimedJob {
  readonly state: EnrichmentJobState;
  readonly next_attempt_at: string;
  readonly locked_until: string | null;
  readonly last_error: string | null;
}

const TABLE = 'enrichment_jobs';
const ACTIVE: readonly EnrichmentJobState[] = ['pending', 'running'];
const MAX_ERROR_LENGTH = 500;

const iso = (at: Date | string): string => (typeof at === 'string' ? at : at.toISOString());

/**
 * The `enrichment_jobs` table: one row per request to enrich a user, kept across restarts.
 * Every state change is a single statement, so two workers can never both hold one job.
 *
 * @example if (await jobs.enqueue(userId)) worker.wake()
 */
export class EnrichmentJobs {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Queues a job due now, unless the user already has one waiting or running.
   * Resolves `true` when a job was added. Pass `trx` to queue inside a larger transaction.
   */
  async enqueue(userId: number, trx?: Knex.Transaction, now = new Date()): Promise<boolean> {
    const at = iso(now);
    const inserted: unknown[] = await (trx ?? this.#db)(TABLE)
      .insert({
        user_id: userId,
        state: 'pending',
        attempts: 0,
        next_attempt_at: at,
        created_at: at,
        updated_at: at,
      })
      // The partial unique index on (user_id) for active jobs turns a second request into a no-op.
      .onConflict()
      .ignore()
      .returning('id');
    return inserted.length > 0;
  }

  /**
   * Takes up to `limit` jobs that are due (or whose worker's lease ran out), oldest due first,
   * marks them running until `leaseMs` from now and counts the attempt.
   */
  async claimDue(limit: number, leaseMs: number, now = new Date()): Promise<ClaimedJob[]> {
    const at = iso(now);
    const due = this.#db(TABLE)
      .select('id')
      .where((query) => query.where('state', 'pending').andWhere('next_attempt_at', '<=', at))
      .orWhere((query) => query.where('state', 'running').andWhere('locked_until', '<', at))
      .orderBy('next_attempt_at')
      .limit(limit);
    // PostgreSQL: several workers claim at once; each skips the rows another is claiming,
    // so no job is handed to two. SQLite has one writer at a time and no such clause.
    if (dialectOf(this.#db) === 'postgres') due.forUpdate().skipLocked();
    const rows: Array<ClaimedJob & { created_at: string | Date }> = await this.#db(TABLE)
      .whereIn('id', due)
      .update({
        state: 'running',
        attempts: this.#db.raw('attempts + 1'),
        locked_until: iso(new Date(now.getTime() + leaseMs)),
        updated_at: at,
      })
      .returning(['id', 'user_id', 'attempts', 'created_at']);
    return rows.map((row) => ({ ...row, created_at: iso(row.created_at) }));
  }

  /** Marks a claimed job finished (`done` or `failed`), keeping why for the record. */
  async finish(
    job: ClaimedJob,
    state: 'done' | 'failed',
    note: string | null,
    trx?: Knex,
  ): Promise<void> {
    await (trx ?? this.#db)(TABLE)
      // The attempt count tells our claim from a later one made after our lease ran out.
      .where({ id: job.id, state: 'running', attempts: job.attempts })
      .update({
        state,
        locked_until: null,
        last_error: note?.slice(0, MAX_ERROR_LENGTH) ?? null,
        updated_at: iso(new Date()),
      });
  }

  /**
   * Puts a claimed job back in the queue, due at `at`. `countAttempt: false` gives the try
   * back (the provider asked us to wait; nothing failed).
   */
  async retryAt(job: ClaimedJob, at: Date, note: string, countAttempt: boolean): Promise<void> {
    await this.#db(TABLE)
      // The attempt count tells our claim from a later one made after our lease ran out.
      .where({ id: job.id, state: 'running', attempts: job.attempts })
      .update({
        state: 'pending',
        attempts: countAttempt ? job.attempts : job.attempts - 1,
        next_attempt_at: iso(at),
        locked_until: null,
        last_error: note.slice(0, MAX_ERROR_LENGTH),
        updated_at: iso(new Date()),
      });
  }

  /** Hands claimed jobs back untouched (a worker stopping before it could start them). */
  async release(jobs: readonly ClaimedJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.#db(TABLE)
      .whereIn(
        'id',
        jobs.map((job) => job.id),
      )
      .andWhere('state', 'running')
      .update({
        state: 'pending',
        attempts: this.#db.raw('attempts - 1'),
        locked_until: null,
        updated_at: iso(new Date()),
      });
  }

  /** When the next job falls due (or a lease runs out); `undefined` when nothing waits. */
  async nextDueAt(): Promise<Date | undefined> {
    const row = (await this.#db(TABLE)
      .whereIn('state', ACTIVE)
      .min({ pending: this.#db.raw("case when state = 'pending' then next_attempt_at end") })
      .min({ running: 'locked_until' })
      .first()) as { pending: string | Date | null; running: string | Date | null } | undefined;
    const times = [row?.pending, row?.running]
      .filter((value): value is string | Date => value != null)
      .map((value) => new Date(value).getTime());
    return times.length === 0 ? undefined : new Date(Math.min(...times));
  }

  /** A user's jobs, newest first (for tests, support and the CLI). */
  ofUser(userId: number): Promise<EnrichmentJobRow[]> {
    return this.#db<EnrichmentJobRow>(TABLE).where('user_id', userId).orderBy('id', 'desc');
  }
}
