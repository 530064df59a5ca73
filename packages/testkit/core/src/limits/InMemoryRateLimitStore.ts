import { assertRate, MINUTE_MS, type RateLimitStore } from './RateLimitStore.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets by key, in this process's memory: fast, and right for one process (SQLite).
 * Memory stays bounded without a timer: buckets that have filled up again (idle for a
 * minute) are dropped by a sweep at most once a minute, and past `maxBuckets` the oldest
 * buckets go first.
 *
 * @example const buckets = new InMemoryRateLimitStore(); if ((await buckets.take(ip, 20)) > 0) refuse()
 */
export class InMemoryRateLimitStore implements RateLimitStore {
  readonly #maxBuckets: number;
  readonly #buckets = new Map<string, Bucket>();
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(options: { readonly maxBuckets?: number } = {}) {
    this.#maxBuckets = options.maxBuckets ?? 100_000;
  }

  /** How many buckets are kept. */
  get size(): number {
    return this.#buckets.size;
  }

  take(key: string, perMinute: number, now = Date.now()): Promise<number> {
    return Promise.resolve(this.#take(key, perMinute, now));
  }

  #take(key: string, perMinute: number, now: number): number {
    assertRate(perMinute);
    if (perMinute === 0) return 0;
    const tokensPerMs = perMinute / MINUTE_MS;
    if (now - this.#sweptAt >= MINUTE_MS) this.#sweep(now);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxBuckets) this.#evict(now);
      bucket = { tokens: perMinute, at: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.at) * tokensPerMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / tokensPerMs / 1000));
  }

  /** Drops the buckets that are full again: they hold nothing a new bucket would not. */
  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.at >= MINUTE_MS) this.#buckets.delete(key);
    }
  }

  #evict(now: number): void {
    this.#sweep(now);
    // Still full: the least recently created tenth goes (their clients start afresh).
    let excess = this.#buckets.size - this.#maxBuckets + Math.ceil(this.#maxBuckets / 10);
    for (const key of this.#buckets.keys()) {
      if (excess <= 0) break;
      this.#buckets.delete(key);
      excess -= 1;
    }
  }
}
