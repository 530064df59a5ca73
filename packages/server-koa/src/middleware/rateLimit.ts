import type { Middleware } from 'koa';
import { clientNetwork, tooManyRequests } from '@plaza/core';
import { userIdOf } from './auth.js';
import { clientIpOf, isLoopback } from './clientIp.js';

/**
 * Request rates per minute, each a token bucket that holds a minute's worth (so a burst of
 * that size passes) and refills evenly. 0 turns a limit off. The buckets live in this
 * process: several processes behind one address each allow the full rate.
 */
export interface RateLimits {
  /** `POST /user/data` per client address (IPv4, or IPv6 /64). */
  readonly signUpsPerIpPerMinute: number;
  /** Posts, likes, unlikes and enrichment requests per signed-in user. */
  readonly writesPerUserPerMinute: number;
  /** The same writes per client address. */
  readonly writesPerIpPerMinute: number;
  /**
   * Limit loopback clients (127.0.0.0/8, ::1) too. Off by default: local tools, tests and
   * the bot sign up and write far faster than a person.
   */
  readonly limitLoopback: boolean;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  signUpsPerIpPerMinute: 20,
  writesPerUserPerMinute: 600,
  writesPerIpPerMinute: 1200,
  limitLoopback: false,
};

/** The rate limits from `options`, defaults filled in; throws when one cannot work. */
export function resolveRateLimits(options: Partial<RateLimits> = {}): RateLimits {
  const limits = { ...DEFAULT_RATE_LIMITS, ...options };
  for (const name of [
    'signUpsPerIpPerMinute',
    'writesPerUserPerMinute',
    'writesPerIpPerMinute',
  ] as const) {
    const value = limits[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`rateLimits.${name} must be a whole number, 0 or more; it is ${value}.`);
    }
  }
  return limits;
}

interface Bucket {
  tokens: number;
  at: number;
}

const MINUTE_MS = 60_000;

/**
 * Token buckets by key, in memory. Memory stays bounded without a timer: buckets that have
 * filled up again (idle for a minute) are dropped by a sweep at most once a minute, and past
 * `maxBuckets` the oldest buckets go first.
 *
 * @example const buckets = new TokenBuckets(20); if (buckets.take(ip) > 0) refuse()
 */
export class TokenBuckets {
  readonly #capacity: number;
  readonly #tokensPerMs: number;
  readonly #maxBuckets: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  #sweptAt: number;

  constructor(
    perMinute: number,
    options: { readonly maxBuckets?: number; readonly now?: () => number } = {},
  ) {
    this.#capacity = perMinute;
    this.#tokensPerMs = perMinute / MINUTE_MS;
    this.#maxBuckets = options.maxBuckets ?? 100_000;
    this.#now = options.now ?? Date.now;
    this.#sweptAt = this.#now();
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Takes a token: 0 when there was one, else the whole seconds until there is. */
  take(key: string): number {
    const now = this.#now();
    if (now - this.#sweptAt >= MINUTE_MS) this.#sweep(now);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxBuckets) this.#evict(now);
      bucket = { tokens: this.#capacity, at: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(
        this.#capacity,
        bucket.tokens + (now - bucket.at) * this.#tokensPerMs,
      );
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#tokensPerMs / 1000));
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

/** The rate-limiting middleware of one server. */
export interface RateLimiters {
  /** Before a sign-up: per client address. */
  readonly signUps: Middleware;
  /** After `requireUser`: per user, then per client address. */
  readonly writes: Middleware;
}

const pass: Middleware = async function noLimit(_ctx, next) {
  await next();
};

/**
 * RAT_01 (HTTP 429, with `Retry-After`) once a client or user has used up its rate.
 *
 * @example const limits = rateLimiters(resolveRateLimits({ signUpsPerIpPerMinute: 5 }))
 */
export function rateLimiters(limits: RateLimits, now?: () => number): RateLimiters {
  const options = now === undefined ? {} : { now };
  const bucketsOf = (perMinute: number) =>
    perMinute > 0 ? new TokenBuckets(perMinute, options) : undefined;
  const signUpsPerIp = bucketsOf(limits.signUpsPerIpPerMinute);
  const writesPerUser = bucketsOf(limits.writesPerUserPerMinute);
  const writesPerIp = bucketsOf(limits.writesPerIpPerMinute);
  /** The client's bucket key, or undefined when the client is exempt. */
  const limitedClient = (ip: string): string | undefined =>
    !limits.limitLoopback && isLoopback(ip) ? undefined : (clientNetwork(ip) ?? ip);

  return {
    signUps:
      signUpsPerIp === undefined
        ? pass
        : async function limitSignUps(ctx, next) {
            const client = limitedClient(clientIpOf(ctx));
            const wait = client === undefined ? 0 : signUpsPerIp.take(client);
            if (wait > 0) throw tooManyRequests(wait);
            await next();
          },
    writes:
      writesPerUser === undefined && writesPerIp === undefined
        ? pass
        : async function limitWrites(ctx, next) {
            const client = limitedClient(clientIpOf(ctx));
            if (client !== undefined) {
              const userId = userIdOf(ctx);
              const waitForUser =
                writesPerUser === undefined || userId === undefined
                  ? 0
                  : writesPerUser.take(String(userId));
              if (waitForUser > 0) throw tooManyRequests(waitForUser);
              const waitForClient = writesPerIp === undefined ? 0 : writesPerIp.take(client);
              if (waitForClient > 0) throw tooManyRequests(waitForClient);
            }
            await next();
          },
  };
}
