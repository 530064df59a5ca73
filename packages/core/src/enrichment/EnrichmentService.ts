import type { Knex } from 'knex';
import { invalidToken } from '../errors.js';
import { isForeignKeyViolation } from '../adapters/db/dbErrors.js';
import type { EventBus } from '../events/EventBus.js';
import type { EnrichmentJobRow, EnrichmentJobs } from './EnrichmentJobs.js';
import { FAILURE_REASONS } from './retryPolicy.js';
import type { EnrichmentRequest } from './Enrichment.js';
import { keepEnrichmentOutcome } from './enrichmentNotice.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import type { InboxWriter } from '../inbox/InboxWriter.js';

export type { EnrichmentRequest } from './Enrichment.js';

export interface EnrichmentServiceDependencies {
  readonly jobs: EnrichmentJobs;
  readonly events: EventBus;
  /** False when ENRICHMENT_PROVIDER is `none`: requests are answered with a failure notice. */
  readonly configured: boolean;
  /** Tells this process's worker, if it runs one, that a job is waiting. */
  readonly wake: () => void;
  /** Where the "not configured" outcome is kept, as every outcome is. */
  readonly writes: WriteBatcher;
  readonly inbox: InboxWriter;
}

/**
 * Asking for a user's profile to be filled in from a provider. The work happens later, in a
 * worker; its outcome is announced as `enrichment.completed` or `enrichment.failed`.
 *
 * @example await plaza.enrichment.request(userId) // then watch plaza.events
 */
export class EnrichmentService {
  readonly #deps: EnrichmentServiceDependencies;

  constructor(deps: EnrichmentServiceDependencies) {
    this.#deps = deps;
  }

  /** Whether a provider is configured, so sign-ups queue a job. */
  get configured(): boolean {
    return this.#deps.configured;
  }

  async request(userId: number): Promise<EnrichmentRequest> {
    const { jobs, events, configured, wake, writes, inbox } = this.#deps;
    if (!configured) {
      // Kept and announced after the caller has its answer, as a real outcome would be.
      setImmediate(() => {
        writes
          .writeAtomically((trx) =>
            keepEnrichmentOutcome(trx, inbox, {
              type: 'enrichment.failed',
              user_id: userId,
              reason: FAILURE_REASONS.notConfigured,
            }),
          )
          .then(
            (failed) =>
              failed === undefined ? undefined : events.publish('enrichment.failed', failed),
            // Plaza is closing, or the database failing: the notice is lost, nothing else.
            () => undefined,
          );
      });
      return { queued: false };
    }
    try {
      const queued = await jobs.enqueue(userId);
      wake();
      return { queued };
    } catch (error) {
      // A valid token for a user that no longer exists.
      if (isForeignKeyViolation(error)) throw invalidToken(error);
      throw error;
    }
  }

  /** Queues a job inside the caller's transaction (sign-up); call `afterCommit` once it commits. */
  async requestInTransaction(trx: Knex.Transaction, userId: number): Promise<void> {
    if (this.#deps.configured) await this.#deps.jobs.enqueue(userId, trx);
  }

  afterCommit(): void {
    if (this.#deps.configured) this.#deps.wake();
  }

  /** A user's jobs, newest first. */
  jobsOf(userId: number): Promise<EnrichmentJobRow[]> {
    return this.#deps.jobs.ofUser(userId);
  }
}
