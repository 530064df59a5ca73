import { optional, required, type Parsed } from '../shared/input.js';
import { httpUrl, id, integerBetween, line, text } from '../shared/values.js';

export const MAX_POST_TEXT_LENGTH = 100_000;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** The parameters of `POST /post/data`. */
export const createPostInput = {
  title: required(line('title', 255)),
  text: required(text('text', MAX_POST_TEXT_LENGTH)),
  link: optional(httpUrl('link')),
};

export type CreatePostInput = Parsed<typeof createPostInput>;

/** `GET /post/read`, `GET /post/likes`, `POST /post/like` and `POST /post/unlike` name a post. */
export const postIdInput = { post_id: required(id('post_id')) };

export type PostIdInput = Parsed<typeof postIdInput>;

/** The parameters of `GET /post/list`. */
export const listPostsInput = {
  author_id: optional(id('author_id')),
  limit: optional(integerBetween('limit', 1, MAX_PAGE_SIZE)),
  before: optional(id('before')),
};

export type ListPostsInput = Parsed<typeof listPostsInput>;

/**
 * The parameters of `POST /post/edit`: the post, and any of `title`, `text` and `link` (at
 * least one), checked as at creation. `link` given empty (or null) clears it; `title` and
 * `text` cannot be cleared, so given empty they are PAR_01 as at creation.
 */
export const editPostInput = {
  post_id: required(id('post_id')),
  title: optional(line('title', 255)),
  text: optional(text('text', MAX_POST_TEXT_LENGTH)),
  link: optional(httpUrl('link')),
};

export type EditPostInput = Parsed<typeof editPostInput>;

/** The parameters of `GET /feed`. */
export const feedInput = {
  limit: optional(integerBetween('limit', 1, MAX_PAGE_SIZE)),
  before: optional(id('before')),
};

export type FeedInput = Parsed<typeof feedInput>;
