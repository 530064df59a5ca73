import type { Enrichment } from './Enrichment.js';
import type { EnrichmentJobRow } from './EnrichmentJobs.js';
import { EnrichmentService } from './EnrichmentService.js';

/**
 * A user's enrichment jobs, newest first: what the worker did and why, for tests and
 * operators. Not on `plaza.enrichment` itself, whose rows are storage, not the embedding API.
 *
 * @example const [job] = await enrichmentJobsOf(plaza, userId)
 */
export function enrichmentJobsOf(
  plaza: { readonly enrichment: Enrichment },
  userId: number,
): Promise<EnrichmentJobRow[]> {
  const { enrichment } = plaza;
  if (!(enrichment instanceof EnrichmentService)) {
    throw new TypeError('enrichmentJobsOf needs a Plaza made by createPlaza');
  }
  return enrichment.jobsOf(userId);
}
