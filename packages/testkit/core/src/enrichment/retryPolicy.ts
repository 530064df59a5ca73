import type { EnrichedProfile, EnrichmentResult } from './ProfileEnricher.js';

export interface RetryPolicy {
  /** Tries (claims) before a job that keeps failing transiently gives up. */
  readonly maxAttempts: number;
  /** First backoff after a transient failure; it doubles with each try. */
  readonly retryBaseMs: number;
  /** Longest backoff, and the wait after a rate limit that named none. */
  readonly retryMaxMs: number;
  /** How long a job may wait on a provider that keeps saying "still looking" or "slow down". */
  readonly maxPendingMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  retryBaseMs: 2_000,
  retryMaxMs: 5 * 60_000,
  maxPendingMs: 60 * 60_000,
};

/** What the worker does with a job after one provider answer. */
export type JobDecision =
  | { readonly action: 'save'; readonly profile: EnrichedProfile }
  | { readonly action: 'fail'; readonly reason: string; readonly note: string }
  | {
      readonly action: 'retry';
      readonly delayMs: number;
      /** False when the provider asked us to wait: the try is given back. */
      readonly countAttempt: boolean;
      readonly note: string;
      /** A rate limit: hold every job, not just this one. */
      readonly pauseAll: boolean;
    };

/** Reasons the user sees (in `enrichment.failed`); they name no provider internals. */
export const FAILURE_REASONS = {
  notFound: 'No public profile was found for this email address.',
  invalidInput: 'This email address cannot be looked up.',
  unavailable: 'The profile provider is not available; try again later.',
  legalBlock: 'The owner of this email address asked that no profile data be kept.',
  gaveUp: 'The profile provider did not answer; try again later.',
  tookTooLong: 'The profile provider took too long to answer; try again later.',
  notConfigured: 'Profile enrichment is not configured on this server.',
} as const;

export interface JobProgress {
  /** Tries so far, this one included. */
  readonly attempts: number;
  /** How long ago the job was queued. */
  readonly ageMs: number;
}

/**
 * The job runner's one rule book: which answers are final, which are retried and after how
 * long. Transient failures back off exponentially with jitter (half the delay fixed, half
 * random) up to `maxAttempts`; "still looking" and rate limits wait as long as the provider
 * asks, without using up tries, until the job is `maxPendingMs` old.
 *
 * @example decideJob({ kind: 'transient_error', reason: 'HTTP 503' }, { attempts: 1, ageMs: 0 }, policy)
 */
export function decideJob(
  result: EnrichmentResult,
  progress: JobProgress,
  policy: RetryPolicy,
  random: () => number = Math.random,
): JobDecision {
  switch (result.kind) {
    case 'found':
      return { action: 'save', profile: result.profile };
    case 'not_found':
      return fail(FAILURE_REASONS.notFound, 'not_found');
    case 'invalid_input':
      return fail(FAILURE_REASONS.invalidInput, 'invalid_input');
    case 'legal_block':
      return fail(FAILURE_REASONS.legalBlock, 'legal_block');
    case 'auth_error':
      return fail(FAILURE_REASONS.unavailable, 'auth_error: the provider refused the api key');
    case 'quota_exhausted':
      return fail(FAILURE_REASONS.unavailable, 'quota_exhausted');
    case 'pending':
    case 'rate_limited': {
      const asked = result.retryAfterMs ?? policy.retryMaxMs;
      if (progress.ageMs + asked > policy.maxPendingMs) {
        return fail(FAILURE_REASONS.tookTooLong, `${result.kind}: gave up waiting`);
      }
      return {
        action: 'retry',
        delayMs: Math.max(asked, 0),
        countAttempt: false,
        note: result.kind,
        pauseAll: result.kind === 'rate_limited',
      };
    }
    case 'transient_error': {
      if (progress.attempts >= policy.maxAttempts) {
        return fail(FAILURE_REASONS.gaveUp, `${result.reason} (after ${progress.attempts} tries)`);
      }
      return {
        action: 'retry',
        delayMs: backoffMs(progress.attempts, policy, random),
        countAttempt: true,
        note: result.reason,
        pauseAll: false,
      };
    }
  }
}

/** Equal-jitter exponential backoff: after try n, between half and all of base·2^(n-1). */
export function backoffMs(attempts: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(attempts - 1, 0));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function fail(reason: string, note: string): JobDecision {
  return { action: 'fail', reason, note };
}
