import type { RawParams } from '../shared/input.js';
import type { AuthorSummary } from '../users/AuthorSummary.js';
import type { CommentIdInput, CreateCommentInput, ListCommentsInput } from './commentInputs.js';

/** A comment as `GET /post/comments` shows it. */
export interface CommentView {
  readonly comment_id: number;
  readonly post_id: number;
  readonly author: AuthorSummary;
  readonly text: string;
  /** When it was written, ISO 8601 UTC. */
  readonly created: string;
}

/** One page of `GET /post/comments`, oldest first; pass `next` as `after` for the following one. */
export interface CommentPage {
  readonly comments: CommentView[];
  readonly next: number | null;
}

/**
 * Comments on posts: `plaza.comments`. A new comment is announced to the post's author as
 * `comment.created` (not when they comment on their own post).
 *
 * @example const { comment_id } = await plaza.comments.create(userId, { post_id: 7, text: 'Hi' })
 */
export interface Comments {
  /** A new comment by `authorId`; USR_01 when there is no such post, AUT_01 when the user is gone. */
  create(
    authorId: number,
    input: CreateCommentInput | RawParams,
  ): Promise<{ readonly comment_id: number }>;
  /** A post's comments, oldest first, `limit` at a time (at most 100); USR_01 for no such post. */
  list(input: ListCommentsInput | RawParams): Promise<CommentPage>;
  /**
   * Removes a comment; allowed to its author and to the post's author. USR_01 when there is
   * no such comment.
   */
  delete(userId: number, input: CommentIdInput | RawParams): Promise<void>;
}
