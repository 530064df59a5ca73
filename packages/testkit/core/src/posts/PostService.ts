import type { Knex } from 'knex';
import type { ModelClass } from 'objection';
import { invalidToken, objectNotFound } from '../errors.js';
import { isForeignKeyViolation, toIsoTimestamp } from '../adapters/db/dbErrors.js';
import { selectRows } from '../adapters/db/selectRows.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import type { EventBus } from '../events/EventBus.js';
import { parseInput, type RawParams } from '../shared/input.js';
import { likeCount } from './likeCount.js';
import type { Post } from './Post.js';
import {
  createPostInput,
  DEFAULT_PAGE_SIZE,
  listPostsInput,
  postIdInput,
  type CreatePostInput,
  type ListPostsInput,
  type PostIdInput,
} from './postInputs.js';
import type { PostPage, PostView } from './Posts.js';

export type { PostPage, PostView } from './Posts.js';

interface PostRow {
  readonly id: number;
  readonly author_id: number;
  readonly title: string;
  readonly text: string;
  readonly link: string | null;
  readonly posted_at: string | Date;
  readonly edited_at: string | Date;
  readonly likes: number | string;
}

export interface PostServiceDependencies {
  readonly Post: ModelClass<Post>;
  readonly db: Knex;
  readonly writes: WriteBatcher;
  readonly events: EventBus;
}

/** Writing and reading posts. */
export class PostService {
  readonly #deps: PostServiceDependencies;
  #readSql: string | undefined;

  constructor(deps: PostServiceDependencies) {
    this.#deps = deps;
  }

  /** @example const { post_id } = await plaza.posts.create(userId, { title: 'Hi', text: '…' }) */
  async create(
    authorId: number,
    raw: CreatePostInput | RawParams,
  ): Promise<{ readonly post_id: number }> {
    const input = parseInput(createPostInput, raw);
    const now = new Date().toISOString();
    try {
      // Plain Knex: an Objection insert costs a fifth of this request's time.
      const [inserted] = await this.#deps.writes.write((trx) =>
        trx('posts')
          .insert({
            author_id: authorId,
            title: input.title,
            text: input.text,
            link: input.link ?? null,
            posted_at: now,
            edited_at: now,
          })
          .returning<Array<{ id: number }>>('id'),
      );
      if (inserted === undefined) throw new Error('The database returned no id for the new post.');
      await this.#deps.events.publish('post.created', {
        post_id: inserted.id,
        author_id: authorId,
      });
      return { post_id: inserted.id };
    } catch (error) {
      // The token was valid but its user is gone.
      if (isForeignKeyViolation(error)) throw invalidToken(error);
      throw error;
    }
  }

  async read(raw: PostIdInput | RawParams): Promise<PostView> {
    const { post_id: postId } = parseInput(postIdInput, raw);
    // The hottest read: its SQL is compiled once, not built per request.
    this.#readSql ??= this.#withLikes().where('posts.id', 0).toSQL().sql;
    const [row] = await selectRows<PostRow>(this.#deps.db, this.#readSql, [postId]);
    if (!row) throw objectNotFound();
    return toView(row);
  }

  /** Newest first, optionally one author's, `limit` at a time (at most 100). */
  async list(raw: ListPostsInput | RawParams): Promise<PostPage> {
    const input = parseInput(listPostsInput, raw);
    const limit = input.limit ?? DEFAULT_PAGE_SIZE;
    const query = this.#withLikes()
      .orderBy('posts.id', 'desc')
      .limit(limit + 1);
    if (input.author_id != null) query.where('posts.author_id', input.author_id);
    if (input.before != null) query.where('posts.id', '<', input.before);
    const rows = (await query) as PostRow[];
    const page = rows.slice(0, limit).map(toView);
    const next = rows.length > limit ? (page.at(-1)?.post_id ?? null) : null;
    return { posts: page, next };
  }

  /** The ids of the users who like a post, in ascending order. */
  async likers(raw: PostIdInput | RawParams): Promise<{ readonly user_ids: number[] }> {
    const { post_id: postId } = parseInput(postIdInput, raw);
    const { db, Post } = this.#deps;
    const [post, likes] = await Promise.all([
      Post.query().select('id').findById(postId),
      db('likes').select('user_id').where('post_id', postId).orderBy('user_id'),
    ]);
    if (!post) throw objectNotFound();
    return { user_ids: likes.map((like: { user_id: number }) => like.user_id) };
  }

  /** Posts with their like counts; plain Knex, as model instances buy nothing on this hot path. */
  #withLikes(): Knex.QueryBuilder<PostRow> {
    const { db } = this.#deps;
    return db<PostRow>('posts').select('posts.*', likeCount(db));
  }
}

function toView(row: PostRow): PostView {
  return {
    post_id: row.id,
    author_id: row.author_id,
    title: row.title,
    text: row.text,
    link: row.link,
    likes: Number(row.likes),
    posted: toIsoTimestamp(row.posted_at),
    edited: toIsoTimestamp(row.edited_at),
  };
}
