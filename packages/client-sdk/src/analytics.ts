import type { HttpTransport } from './http.js';

/** Likes made on one UTC day. */
export interface LikesOnDay {
  /** YYYY-MM-DD, UTC. */
  readonly date: string;
  readonly likes: number;
}

/** Every day of the range, oldest first, days without likes included (0). */
export interface LikesByDay {
  readonly days: readonly LikesOnDay[];
}

/** A range of UTC days (both included, at most 366), and at most one of the filters. */
export interface LikesByDayQuery {
  /** YYYY-MM-DD */
  readonly date_from: string;
  /** YYYY-MM-DD, not before `date_from`. */
  readonly date_to: string;
  /** The likes of one post. */
  readonly post_id?: number;
  /** The likes of one author's posts. */
  readonly author_id?: number;
}

export interface AnalyticsApi {
  /**
   * Likes made per day (`GET /analytics/likes`); signed in. USR_02 for a bad date, a reversed
   * or longer range, or both filters; USR_01 when the post or author does not exist.
   *
   * @example const { days } = await plaza.analytics.likes({ date_from: '2026-01-01', date_to: '2026-12-31' })
   */
  likes(query: LikesByDayQuery): Promise<LikesByDay>;
}

/** `client.analytics`: counts over time. */
export function analyticsApi(http: HttpTransport): AnalyticsApi {
  return {
    likes: async (query) =>
      (await http.send('GET', '/analytics/likes', { ...query })).data as LikesByDay,
  };
}
