import type { Knex } from 'knex';
import { overloaded } from '../../errors.js';
import { dialectOf } from './createKnex.js';
import type { DatabaseWriteHealth } from './DatabaseWriteHealth.js';
import { isForeignKeyViolation, isUniqueViolation } from './dbErrors.js';

interface QueuedWrite {
  readonly work: (db: Knex) => PromiseLike<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** A failed statement that SQLite undoes on its own, leaving the transaction usable. */
const isStatementLevelFailure = (error: unknown): boolean =>
  isForeignKeyViolation(error) || isUniqueViolation(error);

/**
 * Group commit: small writes that arrive together run in one transaction, so a burst of
 * likes pays for one commit instead of one each. A write is queued, the queue is flushed on
 * the next turn of the event loop (or as soon as the previous flush commits), and each
 * caller's promise settles only after the commit that made its write durable.
 *
 * Each unit of work must be a single statement (or atomic by itself): a constraint failure
 * is reported to its own caller while the rest of the batch commits; any other failure
 * rolls the whole batch back and is reported to every caller in it.
 *
 * On PostgreSQL each write runs on its own pooled connection instead: writers there run in
 * parallel, the server groups their commits, and a failed statement would abort a shared
 * transaction.
 *
 * `close()` drains: the writes already queued (or running) commit and are answered, and any
 * later one is refused with OFF_01, so the database can then be closed with nothing on it.
 *
 * @example await batcher.write((trx) => trx('likes').insert(row).onConflict().ignore())
 */
export class WriteBatcher {
  readonly #db: Knex;
  readonly #maxBatch: number;
  readonly #grouped: boolean;
  #queue: QueuedWrite[] = [];
  /** The flush under way, which runs until the queue is empty. */
  #flushing: Promise<void> | undefined;
  /** PostgreSQL writes under way (each on its own connection). */
  readonly #direct = new Set<Promise<unknown>>();
  #closed = false;
  readonly #health: DatabaseWriteHealth | undefined;

  constructor(db: Knex, maxBatch = 500, health?: DatabaseWriteHealth) {
    this.#db = db;
    this.#maxBatch = maxBatch;
    this.#health = health;
    this.#grouped = dialectOf(db) === 'sqlite';
  }

  /** Runs one statement; it is durable when the promise resolves. */
  write<T>(work: (db: Knex) => PromiseLike<T>): Promise<T> {
    if (this.#closed) return Promise.reject(overloaded());
    // A single statement commits on its own.
    if (!this.#grouped) return this.#track(Promise.resolve(work(this.#db)));
    return this.#enqueue(work);
  }

  /** Runs several statements that must commit together or not at all. */
  writeAtomically<T>(work: (db: Knex) => PromiseLike<T>): Promise<T> {
    if (this.#closed) return Promise.reject(overloaded());
    if (!this.#grouped) return this.#track(this.#db.transaction(async (trx) => await work(trx)));
    return this.#enqueue(work);
  }

  /**
   * Refuses new writes (OFF_01) and resolves once every write already accepted has committed
   * (or failed) and its caller has been answered.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#flushing;
    await Promise.allSettled(this.#direct);
  }

  #track<T>(write: Promise<T>): Promise<T> {
    this.#direct.add(write);
    write.then(
      () => {
        this.#direct.delete(write);
        this.#health?.noteCommitted();
      },
      (error: unknown) => {
        this.#direct.delete(write);
        this.#health?.noteFailure(error);
      },
    );
    return write;
  }

  #enqueue<T>(work: (db: Knex) => PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.#flushing ??= new Promise<void>((flushed) => {
        setImmediate(() => void this.#flush().finally(flushed));
      });
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        const outcomes = await this.#db.transaction((trx) => runEach(trx, batch));
        this.#health?.noteCommitted();
        batch.forEach((write, index) => {
          const outcome = outcomes[index];
          if (outcome?.ok) write.resolve(outcome.value);
          else write.reject(outcome?.error);
        });
      } catch (error) {
        this.#health?.noteFailure(error);
        for (const write of batch) write.reject(error);
      }
    }
    this.#flushing = undefined;
  }
}

async function runEach(trx: Knex.Transaction, batch: readonly QueuedWrite[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const write of batch) {
    try {
      outcomes.push({ ok: true, value: await write.work(trx) });
    } catch (error) {
      if (!isStatementLevelFailure(error)) throw error;
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}
