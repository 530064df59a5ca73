import type { Knex } from 'knex';
import type { EventBus } from '../events/EventBus.js';
import type { PlazaEvents } from '../events/PlazaEvents.js';
import type { InboxWriter } from '../inbox/InboxWriter.js';
import { keepEnrichmentOutcome } from './enrichmentNotice.js';
import type { Logger } from '../logger.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import { PROFILE_COLUMNS, toProfile, type ProfileSource } from '../users/toProfile.js';
import type { ClaimedJob, EnrichmentJobs } from './EnrichmentJobs.js';
import { fillEmptyFields, fillEmptyFieldsUpdate } from './fillEmptyFields.js';
import type { EnrichedProfile, EnrichmentResult, ProfileEnricher } from './ProfileEnricher.js';
import { decideJob, type RetryPolicy } from './retryPolicy.js';

export interface WorkerSettings extends RetryPolicy {
  /** Jobs run at once. */
  readonly concurrency: number;
  /** How often the queue is looked at when nothing woke the worker. */
  readonly pollIntervalMs: number;
  /** How long a claimed job stays ours; after that another worker may take it. */
  readonly leaseMs: number;
}

export interface EnrichmentWorkerDependencies {
  readonly db: Knex;
  readonly jobs: EnrichmentJobs;
  readonly enricher: ProfileEnricher;
  readonly events: EventBus;
  /** Saves found data in the same group commits as likes and posts. */
  readonly writes: WriteBatcher;
  /** Where each outcome is kept, with the change that closes the job. */
  readonly inbox: InboxWriter;
  readonly settings: WorkerSettings;
  readonly logger: Logger;
  readonly random?: () => number;
}

/**
 * Runs enrichment jobs inside the server process: claims due jobs (at most `concurrency` at
 * once), asks the provider, and lets `decideJob` say whether to save, retry or give up.
 * Each outcome is announced on the event bus. `stop()` waits for the jobs in hand.
 *
 * @example const worker = new EnrichmentWorker(deps); worker.start(); … await worker.stop()
 */
export class EnrichmentWorker {
  readonly #deps: EnrichmentWorkerDependencies;
  readonly #running = new Map<number, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #stopped = false;
  #polling: Promise<void> | undefined;
  #pollAgain = false;
  /** A rate limit holds every job until then. */
  #pausedUntil = 0;

  constructor(deps: EnrichmentWorkerDependencies) {
    this.#deps = deps;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.wake();
  }

  /** Looks at the queue now (a job was just queued, or one finished). */
  wake(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    this.#polling = this.#poll().finally(() => {
      this.#polling = undefined;
      if (this.#pollAgain) {
        this.#pollAgain = false;
        this.wake();
      }
    });
  }

  /** Stops claiming, and resolves once the jobs in hand are settled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#polling;
    await Promise.all(this.#running.values());
  }

  /** Jobs in hand right now. */
  get busy(): number {
    return this.#running.size;
  }

  async #poll(): Promise<void> {
    const { jobs, settings, logger } = this.#deps;
    try {
      const now = Date.now();
      const free = settings.concurrency - this.#running.size;
      if (now >= this.#pausedUntil && free > 0) {
        const claimed = await jobs.claimDue(free, settings.leaseMs);
        if (this.#stopped) {
          await jobs.release(claimed);
          return;
        }
        for (const job of claimed) this.#run(job);
      }
      await this.#scheduleNextPoll();
    } catch (error) {
      logger.error({ err: error }, 'the enrichment worker could not read its queue');
      this.#schedule(settings.pollIntervalMs);
    }
  }

  async #scheduleNextPoll(): Promise<void> {
    const { jobs, settings } = this.#deps;
    if (this.#stopped) return;
    if (this.#running.size >= settings.concurrency) return; // a finishing job wakes us
    let delay = settings.pollIntervalMs;
    const next = await jobs.nextDueAt();
    if (next !== undefined) delay = Math.min(delay, next.getTime() - Date.now());
    delay = Math.max(delay, this.#pausedUntil - Date.now(), 0);
    this.#schedule(delay);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), delayMs);
    this.#timer.unref();
  }

  #run(job: ClaimedJob): void {
    const done = this.#process(job)
      .catch((error: unknown) => {
        // The job stays `running` until its lease ends, then another try picks it up.
        this.#deps.logger.error({ err: error, job_id: job.id }, 'an enrichment job broke');
      })
      .finally(() => {
        this.#running.delete(job.id);
        this.wake();
      });
    this.#running.set(job.id, done);
  }

  async #process(job: ClaimedJob): Promise<void> {
    const { db, jobs, settings, logger } = this.#deps;
    const user = (await db('users').select('email').where('id', job.user_id).first()) as
      { email: string } | undefined;
    if (user === undefined) {
      await jobs.finish(job, 'done', 'the user no longer exists');
      return;
    }
    const result = await this.#lookUp(user.email);
    const decision = decideJob(
      result,
      { attempts: job.attempts, ageMs: Date.now() - Date.parse(job.created_at) },
      settings,
      this.#deps.random,
    );
    const fields = { job_id: job.id, user_id: job.user_id, attempts: job.attempts };
    switch (decision.action) {
      case 'save': {
        const { filled, completed } = await this.#save(job, decision.profile);
        logger.info({ ...fields, filled }, 'enrichment completed');
        if (completed !== undefined) {
          await this.#deps.events.publish('enrichment.completed', completed);
        }
        return;
      }
      case 'fail': {
        const failed = await this.#deps.writes.writeAtomically(async (trx) => {
          await jobs.finish(job, 'failed', decision.note, trx);
          return await keepEnrichmentOutcome(trx, this.#deps.inbox, {
            type: 'enrichment.failed',
            user_id: job.user_id,
            reason: decision.reason,
          });
        });
        logger.info({ ...fields, note: decision.note }, 'enrichment failed');
        if (failed !== undefined) await this.#deps.events.publish('enrichment.failed', failed);
        return;
      }
      case 'retry': {
        const at = new Date(Date.now() + decision.delayMs);
        if (decision.pauseAll) this.#pausedUntil = Math.max(this.#pausedUntil, at.getTime());
        await jobs.retryAt(job, at, decision.note, decision.countAttempt);
        logger.info(
          { ...fields, retry_in_ms: decision.delayMs, note: decision.note },
          'enrichment will be retried',
        );
      }
    }
  }

  async #lookUp(email: string): Promise<EnrichmentResult> {
    try {
      return await this.#deps.enricher.lookUp(email);
    } catch (error) {
      // Adapters should not throw; one that does is treated as an outage, not a crash.
      this.#deps.logger.warn({ err: error, enricher: this.#deps.enricher.name }, 'enricher threw');
      return { kind: 'transient_error', reason: `${this.#deps.enricher.name} enricher failed` };
    }
  }

  /**
   * Fills the empty fields and closes the job in one unit of the shared group commit, so jobs
   * finishing together cost one transaction. The unit writes before it reads: a transaction
   * that read first could meet another process's write and fail. Returns the fields that
   * were empty and are now filled, and the user as saved.
   */
  async #save(
    job: ClaimedJob,
    found: EnrichedProfile,
  ): Promise<{ filled: string[]; completed: PlazaEvents['enrichment.completed'] | undefined }> {
    const { db, writes, jobs, inbox } = this.#deps;
    const { offered, changes } = fillEmptyFieldsUpdate(db, found);
    let filled: string[] = [];
    const completed = await writes.writeAtomically(async (trx) => {
      await jobs.finish(job, 'done', offered.length > 0 ? null : 'nothing found to fill', trx);
      if (offered.length > 0) {
        // Read after the first write, so the transaction already holds the write lock.
        const before = (await trx('users').select(offered).where('id', job.user_id).first()) as
          Record<string, unknown> | undefined;
        filled = before === undefined ? [] : Object.keys(fillEmptyFields(before, found));
      }
      // Touching updated_at even with nothing to fill gives one statement that returns the row.
      const [row] = await trx('users')
        .where('id', job.user_id)
        .update({ ...changes, updated_at: new Date().toISOString() })
        .returning<ProfileSource[]>([...PROFILE_COLUMNS]);
      if (row === undefined) return undefined;
      // The update locked the user's row: no deletion of theirs can slip in before commit.
      return await keepEnrichmentOutcome(
        trx,
        inbox,
        {
          type: 'enrichment.completed',
          user_id: job.user_id,
          // Sent to the user themself: their own profile, as they would read it signed in.
          profile: toProfile(row, true, false),
        },
        true,
      );
    });
    return { filled, completed };
  }
}
