import type { RawParams } from '../shared/input.js';
import type { LikesByDayInput } from './analyticsInputs.js';

/** Likes made on one UTC day. */
export interface LikesOnDay {
  /** YYYY-MM-DD, UTC. */
  readonly date: string;
  readonly likes: number;
}

/** Every day of the range asked for, oldest first, days without likes included (0). */
export interface LikesByDay {
  readonly days: LikesOnDay[];
}

/**
 * Counts over time: `plaza.analytics`. Read from counts kept with each like and unlike, so a
 * year costs the same with ten likes or ten million.
 *
 * @example const { days } = await plaza.analytics.likes({ date_from: '2026-01-01', date_to: '2026-12-31' })
 */
export interface Analytics {
  /**
   * Likes made per UTC day from `date_from` to `date_to` (both included, at most 366 days),
   * over all posts, or on one post (`post_id`), or on one author's posts (`author_id`); a
   * like taken back no longer counts. USR_02 for a bad date, `date_from` after `date_to`, a
   * longer range, or both filters; USR_01 when the post or author does not exist.
   */
  likes(input: LikesByDayInput | RawParams): Promise<LikesByDay>;
}
