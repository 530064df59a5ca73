import { optional, required, type Parsed } from '../shared/input.js';
import { id, integerBetween, text } from '../shared/values.js';
import { MAX_PAGE_SIZE } from '../posts/postInputs.js';

/** A comment's text, in characters (code points: an emoji is one). */
export const MAX_COMMENT_TEXT_LENGTH = 5_000;

/** The parameters of `POST /post/comment`. */
export const createCommentInput = {
  post_id: required(id('post_id')),
  text: required(text('text', MAX_COMMENT_TEXT_LENGTH)),
};

export type CreateCommentInput = Parsed<typeof createCommentInput>;

/** The parameters of `GET /post/comments`: oldest first, `after` the previous page's `next`. */
export const listCommentsInput = {
  post_id: required(id('post_id')),
  limit: optional(integerBetween('limit', 1, MAX_PAGE_SIZE)),
  after: optional(id('after')),
};

export type ListCommentsInput = Parsed<typeof listCommentsInput>;

/** `POST /comment/delete` names a comment. */
export const commentIdInput = { comment_id: required(id('comment_id')) };

export type CommentIdInput = Parsed<typeof commentIdInput>;
