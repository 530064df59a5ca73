import type { Knex } from 'knex';
import { malformedParam, objectNotFound } from '../errors.js';
import { parseInput, type RawParams } from '../shared/input.js';
import type { Analytics, LikesByDay } from './Analytics.js';
import { likesByDayInput, MAX_ANALYTICS_DAYS, type LikesByDayInput } from './analyticsInputs.js';

const DAY_MS = 86_400_000;

export const DATE_ORDER_MESSAGE = 'date_from must not be after date_to.';
export const RANGE_TOO_LONG_MESSAGE = `date_to must be at most ${MAX_ANALYTICS_DAYS - 1} days after date_from (${MAX_ANALYTICS_DAYS} days at most).`;
export const ONE_FILTER_MESSAGE = 'Give post_id or author_id, not both.';

const epochDay = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

const twoDigits = (value: number): string => (value < 10 ? `0${value}` : String(value));

/**
 * YYYY-MM-DD of each day from `first` to `last` (days since 1970-01-01), counted on from the
 * first rather than formatted from a Date each: a year's answer makes 366 of them.
 */
function datesOf(first: number, last: number): string[] {
  const start = new Date(first * DAY_MS);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  const dates: string[] = [];
  for (let at = first; at <= last; at += 1) {
    dates.push(`${year}-${twoDigits(month)}-${twoDigits(day)}`);
    day += 1;
    if (day > daysInMonth(year, month)) {
      day = 1;
      month += 1;
      if (month > 12) {
        month = 1;
        year += 1;
      }
    }
  }
  return dates;
}

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/**
 * `plaza.analytics`: reads the likes per day that likeDays.ts keeps, never the likes: one
 * range scan of at most a year of rows (per post, per author's post, or per shard of the
 * day's total), whatever the number of likes.
 */
export class AnalyticsService implements Analytics {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** @example await plaza.analytics.likes({ date_from: '2026-12-01', date_to: '2026-12-07', post_id: 7 }) */
  async likes(raw: LikesByDayInput | RawParams): Promise<LikesByDay> {
    const input = parseInput(likesByDayInput, raw);
    const first = epochDay(input.date_from);
    const last = epochDay(input.date_to);
    if (first > last) throw malformedParam('date_from', DATE_ORDER_MESSAGE);
    if (last - first + 1 > MAX_ANALYTICS_DAYS)
      throw malformedParam('date_to', RANGE_TOO_LONG_MESSAGE);
    const postId = input.post_id ?? undefined;
    const authorId = input.author_id ?? undefined;
    if (postId !== undefined && authorId !== undefined) {
      throw malformedParam('author_id', ONE_FILTER_MESSAGE);
    }
    const counts = await this.#counts(input.date_from, input.date_to, postId, authorId);
    return { days: datesOf(first, last).map((date) => ({ date, likes: counts.get(date) ?? 0 })) };
  }

  async #counts(
    from: string,
    to: string,
    postId: number | undefined,
    authorId: number | undefined,
  ): Promise<Map<string, number>> {
    const db = this.#db;
    let query: Knex.QueryBuilder;
    if (postId !== undefined) {
      await this.#mustExist('posts', postId);
      query = db('like_days').select('day', 'likes').where('post_id', postId);
    } else if (authorId !== undefined) {
      await this.#mustExist('users', authorId);
      query = db('like_days')
        .select('day')
        .sum({ likes: 'likes' })
        .where('author_id', authorId)
        .groupBy('day');
    } else {
      query = db('like_day_totals').select('day').sum({ likes: 'likes' }).groupBy('day');
    }
    const rows = (await query.whereBetween('day', [from, to])) as Array<{
      day: string;
      likes: number | string | null;
    }>;
    return new Map(rows.map((row) => [row.day, Number(row.likes ?? 0)]));
  }

  async #mustExist(table: 'posts' | 'users', id: number): Promise<void> {
    const row: unknown = await this.#db(table).select('id').where('id', id).first();
    if (row === undefined) throw objectNotFound();
  }
}
