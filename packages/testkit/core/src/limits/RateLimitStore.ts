/**
 * Request rates by key (a client's network, a user), each a bucket that holds a minute's
 * worth of requests, so that a burst of that size passes, and refills evenly.
 *
 * Two stores come with Plaza: `InMemoryRateLimitStore` (one process) and
 * `DatabaseRateLimitStore` (every process on one database shares the buckets). A store of
 * your own (Redis, say) only needs `take`.
 *
 * @example const wait = await store.take('signup:ip:192.0.2.7', 20); if (wait > 0) refuse(wait)
 */
export interface RateLimitStore {
  /**
   * Takes one request from the bucket of `key`, which holds `perMinute` requests: resolves
   * to 0 when there was one (and counts it), else to the whole seconds, at least 1, until
   * there is one (and counts nothing). `perMinute` 0 turns the limit off: always 0.
   * `now` is milliseconds since the epoch. A `perMinute` that is not a whole number throws.
   */
  take(key: string, perMinute: number, now?: number): Promise<number>;
}

export const MINUTE_MS = 60_000;

/** Throws unless `perMinute` is a whole number, 0 or more. */
export function assertRate(perMinute: number): void {
  if (!Number.isSafeInteger(perMinute) || perMinute < 0) {
    throw new RangeError(`A rate limit must be a whole number, 0 or more; it is ${perMinute}.`);
  }
}
