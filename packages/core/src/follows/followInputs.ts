import { optional, required, type Parsed } from '../shared/input.js';
import { id, integerBetween } from '../shared/values.js';
import { MAX_PAGE_SIZE } from '../posts/postInputs.js';

/** The parameters of `POST /user/follow` and `POST /user/unfollow`: whom. */
export const followInput = { user_id: required(id('user_id')) };

export type FollowInput = Parsed<typeof followInput>;

/**
 * The parameters of `GET /user/followers` and `GET /user/following`: whose, and a page of it
 * (newest follow first; `before` is the previous page's `next`).
 */
export const followListInput = {
  user_id: required(id('user_id')),
  limit: optional(integerBetween('limit', 1, MAX_PAGE_SIZE)),
  before: optional(id('before')),
};

export type FollowListInput = Parsed<typeof followListInput>;
