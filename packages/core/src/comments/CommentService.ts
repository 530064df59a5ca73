import type { Knex } from 'knex';
import { invalidToken, malformedParam, objectNotFound } from '../errors.js';
import { dialectOf } from '../adapters/db/createKnex.js';
import { isForeignKeyViolation, toIsoTimestamp } from '../adapters/db/dbErrors.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import type { EventBus } from '../events/EventBus.js';
import type { InboxPlace, InboxWriter } from '../inbox/InboxWriter.js';
import type { Logger } from '../logger.js';
import { DEFAULT_PAGE_SIZE } from '../posts/postInputs.js';
import { parseInput, type RawParams } from '../shared/input.js';
import { AUTHOR_SUMMARY_COLUMNS, toAuthorSummary } from '../users/AuthorSummary.js';
import { commentExcerpt } from './commentExcerpt.js';
import {
  commentIdInput,
  createCommentInput,
  listCommentsInput,
  type CommentIdInput,
  type CreateCommentInput,
  type ListCommentsInput,
} from './commentInputs.js';
import type { CommentPage, CommentView, Comments } from './Comments.js';

export type { CommentPage, CommentView } from './Comments.js';

export interface CommentServiceDependencies {
  readonly db: Knex;
  readonly writes: WriteBatcher;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly inbox: InboxWriter;
}

/** A comment with its author's summary columns, as the list query returns it. */
interface CommentRow {
  readonly id: number;
  readonly post_id: number;
  readonly text: string;
  readonly created_at: string | Date;
  readonly author_id: number;
  readonly author_username: string;
  readonly author_first_name: string | null;
  readonly author_last_name: string | null;
  readonly author_avatar: string | null;
}

/** What a new comment changed: its id, and its post's author and comment count after it. */
interface CreatedComment {
  readonly commentId: number;
  readonly postAuthorId: number;
  readonly comments: number;
  /** Where it was kept in the post author's inbox (not when they commented themself). */
  readonly place: InboxPlace | undefined;
}

type DeleteOutcome = 'deleted' | 'missing' | 'not allowed';

/**
 * The caller may not delete this comment: neither it nor its post is theirs. USR_02 on the id,
 * as for a post of another user (POST /post/edit, /post/delete).
 */
export const notYourComment = () =>
  malformedParam(
    'comment_id',
    "comment_id is a comment of another user; only its author or the post's author may delete it.",
  );

/** The author summary's columns, prefixed `author_` beside the comment's own. */
const AUTHOR_COLUMNS = AUTHOR_SUMMARY_COLUMNS.filter((column) => column !== 'id').map(
  (column) => `users.${column} as author_${column}`,
);

/**
 * Writing, reading and deleting comments. Each insert or delete changes its post's
 * `comments_count` in the same transaction, so the count is never recounted and never drifts.
 *
 * Locking (PostgreSQL; SQLite runs writes one at a time): a new comment's foreign key check
 * share-locks its post row, so a post deletion that locks the post first (as POST /post/delete
 * does) either waits for the comment and removes it with the others, or goes first and the
 * insert then fails on the foreign key: USR_01, nothing left behind. A comment deletion locks
 * the post row before the comment row, in that same order, so the two never deadlock.
 */
export class CommentService implements Comments {
  readonly #deps: CommentServiceDependencies;
  readonly #postgres: boolean;

  constructor(deps: CommentServiceDependencies) {
    this.#deps = deps;
    this.#postgres = dialectOf(deps.db) === 'postgres';
  }

  /** @example const { comment_id } = await plaza.comments.create(userId, { post_id: 7, text: 'Hi' }) */
  async create(
    authorId: number,
    raw: CreateCommentInput | RawParams,
  ): Promise<{ readonly comment_id: number }> {
    const input = parseInput(createCommentInput, raw);
    const postId = input.post_id;
    let created: CreatedComment;
    try {
      // The insert comes first: when the post is gone its foreign key refuses the row before
      // anything changed (a failed statement inside SQLite's shared batch undoes itself only).
      created = await this.#deps.writes.writeAtomically(async (trx) => {
        const [comment] = await trx('comments')
          .insert({
            post_id: postId,
            author_id: authorId,
            text: input.text,
            created_at: new Date().toISOString(),
          })
          .returning<Array<{ id: number }>>('id');
        const [post] = await trx('posts')
          .where('id', postId)
          .increment('comments_count', 1)
          .returning<Array<{ author_id: number; comments_count: number | string }>>([
            'author_id',
            'comments_count',
          ]);
        if (comment === undefined || post === undefined) {
          throw new Error('The database returned no row for the new comment or its post.');
        }
        const comments = Number(post.comments_count);
        const place =
          post.author_id === authorId
            ? undefined
            : await this.#deps.inbox.keep(trx, post.author_id, authorId, {
                type: 'comment.created',
                comment_id: comment.id,
                post_id: postId,
                author_id: post.author_id,
                by_user_id: authorId,
                comments,
                excerpt: commentExcerpt(input.text),
              });
        return { commentId: comment.id, postAuthorId: post.author_id, comments, place };
      });
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      // Either the post or the token's user does not exist; only the former is the caller's fault.
      if (!(await this.#postExists(postId))) throw objectNotFound();
      throw invalidToken(error);
    }
    if (created.place !== undefined) {
      await this.#announce(created, created.place, postId, authorId, input.text);
    }
    return { comment_id: created.commentId };
  }

  /** Oldest first; one query per page (comments joined with their authors), two when it is empty. */
  async list(raw: ListCommentsInput | RawParams): Promise<CommentPage> {
    const input = parseInput(listCommentsInput, raw);
    const limit = input.limit ?? DEFAULT_PAGE_SIZE;
    const { db } = this.#deps;
    const query = db('comments')
      .join('users', 'users.id', 'comments.author_id')
      .select(
        'comments.id',
        'comments.post_id',
        'comments.text',
        'comments.created_at',
        'comments.author_id',
        ...AUTHOR_COLUMNS,
      )
      .where('comments.post_id', input.post_id)
      .orderBy('comments.id', 'asc')
      .limit(limit + 1);
    if (input.after != null) query.where('comments.id', '>', input.after);
    const rows = (await query) as CommentRow[];
    // A post's comments go with it, so comments found say the post exists.
    if (rows.length === 0 && !(await this.#postExists(input.post_id))) throw objectNotFound();
    const page = rows.slice(0, limit).map(toView);
    const next = rows.length > limit ? (page.at(-1)?.comment_id ?? null) : null;
    return { comments: page, next };
  }

  /** @example await plaza.comments.delete(userId, { comment_id: 12 }) */
  async delete(userId: number, raw: CommentIdInput | RawParams): Promise<void> {
    const { comment_id: commentId } = parseInput(commentIdInput, raw);
    // Refusals are returned, not thrown: on SQLite this runs inside a batch shared with other
    // writers, which an exception would roll back.
    const outcome = await this.#deps.writes.writeAtomically(async (trx): Promise<DeleteOutcome> => {
      const lookup = trx('comments')
        .join('posts', 'posts.id', 'comments.post_id')
        .select(
          'comments.author_id as comment_author_id',
          'comments.post_id',
          'posts.author_id as post_author_id',
        )
        .where('comments.id', commentId)
        .first();
      // The post row first, as a post deletion locks it (see the class comment).
      if (this.#postgres) void lookup.forNoKeyUpdate('posts');
      const found = (await lookup) as
        { comment_author_id: number; post_id: number; post_author_id: number } | undefined;
      if (found === undefined) return 'missing';
      if (userId !== found.comment_author_id && userId !== found.post_author_id) {
        return 'not allowed';
      }
      const removed = await trx('comments').where('id', commentId).delete();
      // Deleted meanwhile by another request: that one counted it.
      if (removed === 0) return 'missing';
      await trx('posts').where('id', found.post_id).decrement('comments_count', 1);
      return 'deleted';
    });
    if (outcome === 'missing') throw objectNotFound();
    if (outcome === 'not allowed') throw notYourComment();
  }

  async #announce(
    created: CreatedComment,
    place: InboxPlace,
    postId: number,
    byUserId: number,
    text: string,
  ): Promise<void> {
    const { events, logger } = this.#deps;
    try {
      await events.publish('comment.created', {
        comment_id: created.commentId,
        post_id: postId,
        author_id: created.postAuthorId,
        by_user_id: byUserId,
        comments: created.comments,
        excerpt: commentExcerpt(text),
        inbox_id: place.id,
        inbox_after: place.after,
      });
    } catch (error) {
      // The comment is committed; what is lost here is a notice, and the log says so.
      logger.warn({ err: error, comment_id: created.commentId }, 'could not announce a comment');
    }
  }

  async #postExists(postId: number): Promise<boolean> {
    return (await this.#deps.db('posts').select('id').where('id', postId).first()) !== undefined;
  }
}

function toView(row: CommentRow): CommentView {
  return {
    comment_id: row.id,
    post_id: row.post_id,
    author: toAuthorSummary({
      id: row.author_id,
      username: row.author_username,
      first_name: row.author_first_name,
      last_name: row.author_last_name,
      avatar: row.author_avatar,
    }),
    text: row.text,
    created: toIsoTimestamp(row.created_at),
  };
}
