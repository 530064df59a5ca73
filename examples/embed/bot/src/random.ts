import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** The bot's only source of chance, so that one seed gives one run. */
export interface Random {
  /** A whole number from 0 to `count - 1`, each equally likely; `count` must be at least 1. */
  below(count: number): number;
  /** A whole number from `min` to `max`, both included. */
  between(min: number, max: number): number;
}

/**
 * A repeatable random source (xoroshiro128+).
 *
 * @example seededRandom(42).between(0, 10) // the same number on every run
 */
export function seededRandom(seed: number): Random {
  const generator = xoroshiro128plus(seed);
  return {
    below: (count) => uniformInt(generator, 0, count - 1),
    between: (min, max) => uniformInt(generator, min, max),
  };
}
