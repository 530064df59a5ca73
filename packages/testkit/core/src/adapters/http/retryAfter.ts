import type { EnrichmentResult } from '../../enrichment/ProfileEnricher.js';

// Below this, an X-RateLimit-Reset is a number of seconds to wait, not an epoch (2001-09-09).
const EPOCH_SECONDS_FLOOR = 1_000_000_000;
const DIGITS = /^\d{1,12}$/;
// HTTP dates name a weekday or month; Date.parse would also take "-3" as a year.
const HAS_LETTERS = /[A-Za-z]/;

/**
 * How long a provider asked us to wait, in ms, from `Retry-After` (seconds or an HTTP date)
 * or else `X-RateLimit-Reset` (epoch seconds, as Clearbit sends). Undefined when neither
 * header is usable; never negative.
 *
 * @example retryAfterMs(new Headers({ 'retry-after': '30' }), Date.now()) // 30000
 */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter !== undefined && retryAfter !== '') {
    if (DIGITS.test(retryAfter)) return Number(retryAfter) * 1000;
    const date = HAS_LETTERS.test(retryAfter) ? Date.parse(retryAfter) : Number.NaN;
    if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset !== undefined && DIGITS.test(reset)) {
    const seconds = Number(reset);
    if (seconds < EPOCH_SECONDS_FLOOR) return seconds * 1000;
    return Math.max(0, seconds * 1000 - nowMs);
  }
  return undefined;
}

/**
 * A provider's "slow down" answer, with the wait it asked for when it named one.
 *
 * @example rateLimited(response.headers) // { kind: 'rate_limited', retryAfterMs: 30000 }
 */
export function rateLimited(headers: Headers): EnrichmentResult {
  const wait = retryAfterMs(headers, Date.now());
  return wait === undefined
    ? { kind: 'rate_limited' }
    : { kind: 'rate_limited', retryAfterMs: wait };
}

/**
 * A provider's "still looking" answer: ask again after its Retry-After, or `defaultMs`.
 *
 * @example stillLooking(response.headers, 60_000) // { kind: 'pending', retryAfterMs: 60000 }
 */
export function stillLooking(headers: Headers, defaultMs: number): EnrichmentResult {
  return { kind: 'pending', retryAfterMs: retryAfterMs(headers, Date.now()) ?? defaultMs };
}
