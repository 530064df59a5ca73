import { optional, required, type Parsed } from '../shared/input.js';
import { id, isoDate } from '../shared/values.js';

/** The longest range `GET /analytics/likes` answers, in days (a leap year). */
export const MAX_ANALYTICS_DAYS = 366;

/**
 * The parameters of `GET /analytics/likes` (and `GET /api/analitics/`): a range of UTC days,
 * both ends included, and at most one of `post_id` and `author_id`.
 */
export const likesByDayInput = {
  date_from: required(isoDate('date_from')),
  date_to: required(isoDate('date_to')),
  post_id: optional(id('post_id')),
  author_id: optional(id('author_id')),
};

export type LikesByDayInput = Parsed<typeof likesByDayInput>;
