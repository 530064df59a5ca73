import type { Middleware } from 'koa';
import { InMemoryRateLimitStore, type RateLimitStore } from '@plaza/core';
import { clientNetwork, tooManyRequests } from '@plaza/core/host';
import { userIdOf } from './auth.js';
import { clientIpOf, isLoopback } from './clientIp.js';

/**
 * Request rates per minute, each a token bucket that holds a minute's worth (so a burst of
 * that size passes) and refills evenly. 0 turns a limit off. The buckets live where the
 * Plaza's `rateLimits` store keeps them: in the database on PostgreSQL, so that several
 * processes behind one address enforce one limit together; in memory on SQLite.
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
 * RAT_01 (HTTP 429, with `Retry-After`) once a client or user has used up its rate. The
 * buckets are kept in `store` (by default, in this process's memory); a store that fails
 * fails the request (the database store: OFF_01 when the database is busy).
 *
 * @example const limits = rateLimiters(resolveRateLimits({ signUpsPerIpPerMinute: 5 }), plaza.rateLimits)
 */
export function rateLimiters(
  limits: RateLimits,
  store: RateLimitStore = new InMemoryRateLimitStore(),
  now: () => number = Date.now,
): RateLimiters {
  const { signUpsPerIpPerMinute, writesPerUserPerMinute, writesPerIpPerMinute } = limits;
  /** The client's bucket key, or undefined when the client is exempt. */
  const limitedClient = (ip: string): string | undefined =>
    !limits.limitLoopback && isLoopback(ip) ? undefined : (clientNetwork(ip) ?? ip);

  return {
    signUps:
      signUpsPerIpPerMinute === 0
        ? pass
        : async function limitSignUps(ctx, next) {
            const client = limitedClient(clientIpOf(ctx));
            const wait =
              client === undefined
                ? 0
                : await store.take(`signup:ip:${client}`, signUpsPerIpPerMinute, now());
            if (wait > 0) throw tooManyRequests(wait);
            await next();
          },
    writes:
      writesPerUserPerMinute === 0 && writesPerIpPerMinute === 0
        ? pass
        : async function limitWrites(ctx, next) {
            const client = limitedClient(clientIpOf(ctx));
            if (client !== undefined) {
              const userId = userIdOf(ctx);
              // The user's bucket first: a refused write takes nothing from the client's.
              const waitForUser =
                userId === undefined
                  ? 0
                  : await store.take(`write:user:${userId}`, writesPerUserPerMinute, now());
              if (waitForUser > 0) throw tooManyRequests(waitForUser);
              const waitForClient = await store.take(
                `write:ip:${client}`,
                writesPerIpPerMinute,
                now(),
              );
              if (waitForClient > 0) throw tooManyRequests(waitForClient);
            }
            await next();
          },
  };
}
