import { z } from 'zod';
import { isoDateTime, rowId } from './routeDeclaration.js';

// Wire shapes: what `data` holds in each answer. Objects are strict, so a field the server
// adds without declaring it here fails the API tests.

/**
 * A public profile; `email` only when it is your own, `following` (do you follow them?) only
 * when you are signed in.
 */
export const profileWire = z.strictObject({
  user_id: rowId,
  username: z.string(),
  email: z.string().exactOptional(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  birth_date: z.iso.date().nullable(),
  location: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  country: z.string().nullable(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  bio: z.string().nullable(),
  site: z.string().nullable(),
  avatar: z.string().nullable(),
  followers_count: z.int().min(0),
  following_count: z.int().min(0),
  following: z.boolean().exactOptional(),
});

/**
 * A signed-in session: sign-up, login, password change and refresh answer one. `expires_at` is
 * the access token's; `refresh_token` gets the next one (`POST /api-token-refresh/`).
 */
export const sessionWire = z.strictObject({
  token: z.string(),
  user_id: rowId,
  expires_at: isoDateTime,
  refresh_token: z.string(),
});

export const verifiedTokenWire = z.strictObject({ user_id: rowId });

export const createdPostWire = z.strictObject({ post_id: rowId });

/** Who wrote a post or a comment. */
export const authorWire = z.strictObject({
  user_id: rowId,
  username: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  avatar: z.string().nullable(),
});

/** The kept fields first, in their order; then what later issues added. */
export const postWire = z.strictObject({
  post_id: rowId,
  author_id: rowId,
  title: z.string(),
  text: z.string(),
  link: z.string().nullable(),
  likes: z.int().min(0),
  posted: isoDateTime,
  edited: isoDateTime,
  author: authorWire,
  comments: z.int().min(0),
  liked_by_me: z
    .boolean()
    .exactOptional()
    .meta({ description: 'Whether you like it; only when you are signed in.' }),
});

/** One page, newest first; pass `next` as `before` for the following page (null: no more). */
export const postPageWire = z.strictObject({
  posts: z.array(postWire),
  next: rowId.nullable(),
});

export const likersWire = z.strictObject({ user_ids: z.array(rowId) });

export const healthWire = z.strictObject({ status: z.literal('ok') });

/** Every error answer: SPEC's error envelope. */
export const errorWire = z.strictObject({
  code: z.string().meta({ description: 'A stable code, e.g. USR_01; clients match on it.' }),
  message: z.string(),
  field: z.string().exactOptional(),
  hint: z.string().exactOptional(),
});
