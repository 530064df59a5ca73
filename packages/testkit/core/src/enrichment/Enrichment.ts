/** What the caller learns at once; the outcome comes later as an event. */
export interface EnrichmentRequest {
  /** False when a job for this user was already waiting (or enrichment is off). */
  readonly queued: boolean;
}

/**
 * Profile enrichment: `plaza.enrichment`. The work happens later, in a worker; its outcome is
 * announced as `enrichment.completed` or `enrichment.failed`.
 *
 * @example await plaza.enrichment.request(userId) // then watch plaza.events
 */
export interface Enrichment {
  /** Whether a provider is configured, so sign-ups queue a job. */
  readonly configured: boolean;
  /** Queues a job for the user unless one is already waiting; AUT_01 for a deleted user. */
  request(userId: number): Promise<EnrichmentRequest>;
}
