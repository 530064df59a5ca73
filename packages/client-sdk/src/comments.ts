import type { HttpTransport } from './http.js';
import { pageByPage } from './pageByPage.js';
import type { AuthorSummary } from './types.js';

/** A comment on a post. */
export interface Comment {
  readonly comment_id: number;
  readonly post_id: number;
  readonly author: AuthorSummary;
  readonly text: string;
  /** ISO 8601 */
  readonly created: string;
}

export interface CommentQuery {
  /** 1 to 100; the server's default is 20. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly after?: number;
}

/** One page, oldest first; pass `next` as `after` for the following page (null: no more). */
export interface CommentPage {
  readonly comments: readonly Comment[];
  readonly next: number | null;
}

export interface CommentsApi {
  /** `text` is 1 to 5,000 characters; USR_01 when the post does not exist (any more). */
  create(postId: number, text: string): Promise<{ readonly comment_id: number }>;
  /** One page of the post's comments, oldest first. */
  list(postId: number, query?: CommentQuery): Promise<CommentPage>;
  /** Every comment of the post from `query.after` on, oldest first, fetched page by page. */
  iterate(postId: number, query?: CommentQuery): AsyncIterableIterator<Comment>;
  /** Allowed to the comment's author and to the post's author (others: USR_02). */
  delete(commentId: number): Promise<void>;
}

/** `client.comments`: the comment routes. */
export function commentsApi(http: HttpTransport): CommentsApi {
  const list = async (postId: number, query: CommentQuery = {}): Promise<CommentPage> =>
    (await http.send('GET', '/post/comments', { ...query, post_id: postId })).data as CommentPage;
  return {
    create: async (postId, text) =>
      (await http.send('POST', '/post/comment', { post_id: postId, text })).data as {
        comment_id: number;
      },
    list,
    iterate: (postId: number, query: CommentQuery = {}) =>
      pageByPage(query.after, async (after) => {
        const page = await list(postId, after === undefined ? query : { ...query, after });
        return { items: page.comments, next: page.next };
      }),
    async delete(commentId) {
      await http.send('POST', '/comment/delete', { comment_id: commentId });
    },
  };
}
