import { z } from 'zod';
import { likesByDayInput, MAX_ANALYTICS_DAYS } from '@plaza/core/host';
import { ok, type RouteDeclaration } from './routeDeclaration.js';

/** Likes made per UTC day, every day of the range, oldest first. */
export const likesByDayWire = z.strictObject({
  days: z.array(
    z.strictObject({
      date: z.iso.date().meta({ description: 'A UTC day, YYYY-MM-DD' }),
      likes: z.int().min(0),
    }),
  ),
});

/** The shapes of this module's answers, by their names in the document. */
export const ANALYTICS_WIRE_SCHEMAS = { LikesByDay: likesByDayWire } as const;

const LIKES_BY_DAY = {
  method: 'GET',
  tag: 'posts',
  summary: 'Likes made per day',
  description:
    `Likes made on each UTC day from \`date_from\` to \`date_to\` (YYYY-MM-DD, both included, ` +
    `at most ${MAX_ANALYTICS_DAYS} days), every day present (0 when nobody liked), oldest ` +
    'first: over all posts, on one post (`post_id`), or on one author’s posts (`author_id`). ' +
    'A like counts on the day it was made while it lasts: an unlike takes it off that day, and ' +
    'likes deleted with their post or account go too. A bad date, `date_from` after ' +
    '`date_to`, a longer range, or both `post_id` and `author_id`: USR_02 naming the field. ' +
    'No such post or author: USR_01. Counted as likes are made, so a year answers as fast ' +
    'with millions of likes as with none.',
  auth: 'required',
  input: likesByDayInput,
  answer: { status: 200, schema: ok(likesByDayWire) },
  errors: ['PAR_01', 'USR_01', 'USR_02', 'AUT_01'],
} as const;

/** Likes per day, at the original service's path (spelt as its clients call it) and at Plaza's. */
export const ANALYTICS_ROUTES = {
  likesByDay: { ...LIKES_BY_DAY, path: '/analytics/likes', name: 'likesByDay' },
  likesByDayOriginal: {
    ...LIKES_BY_DAY,
    path: '/api/analitics/',
    name: 'likesByDayOriginal',
    summary: 'Likes made per day (the original service’s path)',
  },
} as const satisfies Record<string, RouteDeclaration>;
