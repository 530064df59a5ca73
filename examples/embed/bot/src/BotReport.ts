import type { BotConfig } from './botConfig.js';
import type { LikePlan } from './planLikes.js';
import type { RuleCheck } from './verifyRun.js';

export interface PhaseTiming {
  readonly phase: 'sign-up' | 'posts' | 'plan' | 'likes' | 'read back';
  readonly ms: number;
  /** How many things the phase made or read (users, posts, likes…). */
  readonly items: number;
}

/** How many likes each user gave. */
export interface LikesPerUser {
  readonly min: number;
  readonly mean: number;
  readonly max: number;
  /** Users who gave max_likes_per_user likes. */
  readonly atMaximum: number;
  /** Users who gave none. */
  readonly none: number;
}

/** Everything a run did and found; printed as a table, or as JSON with --json. */
export interface BotReport {
  readonly ok: boolean;
  readonly server: string;
  readonly seed: number;
  readonly config: BotConfig;
  readonly users: number;
  readonly posts: number;
  readonly likes: number;
  readonly postsWithoutLikes: number;
  readonly likesPerUser: LikesPerUser;
  readonly stoppedBecause: LikePlan['stoppedBecause'];
  readonly phases: readonly PhaseTiming[];
  readonly totalMs: number;
  readonly checks: readonly RuleCheck[];
}

/** @example likesPerUser([3, 0, 5], 5) // { min: 0, mean: 2.67, max: 5, atMaximum: 1, none: 1 } */
export function likesPerUser(counts: readonly number[], maximum: number): LikesPerUser {
  if (counts.length === 0) return { min: 0, mean: 0, max: 0, atMaximum: 0, none: 0 };
  const total = counts.reduce((sum, count) => sum + count, 0);
  return {
    min: Math.min(...counts),
    mean: Math.round((total / counts.length) * 100) / 100,
    max: Math.max(...counts),
    atMaximum: counts.filter((count) => count === maximum).length,
    none: counts.filter((count) => count === 0).length,
  };
}
