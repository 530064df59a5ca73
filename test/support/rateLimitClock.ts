import type { Plaza } from '@plaza/core';

/**
 * Stops the clock of `plaza`'s rate-limit buckets at `at`: from then on they see no time
 * pass, so none refills while a test spends its budget, however slow the machine (a bucket
 * of 4 a minute gains a request every 15 s, which a loaded machine can take to get 4
 * sign-ups through). Servers that share buckets should be given the same `at`. The refill
 * itself is tested with explicit clocks (core's rateLimitStores tests).
 *
 * @example holdRateLimitClock(target.plaza)
 */
export function holdRateLimitClock(plaza: Plaza, at = Date.now()): void {
  const store = plaza.rateLimits;
  const take = store.take.bind(store);
  Object.assign(store, {
    take: (key: string, perMinute: number): Promise<number> => take(key, perMinute, at),
  });
}
