import type { Knex } from 'knex';
import type { ModelClass } from 'objection';
import { invalidToken, malformedParam, missingParam, objectNotFound } from '../errors.js';
import { dialectOf } from '../adapters/db/createKnex.js';
import { isForeignKeyViolation, toIsoTimestamp } from '../adapters/db/dbErrors.js';
import { selectRows } from '../adapters/db/selectRows.js';
import { forgetPostLikeDays } from '../analytics/likeDays.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import type { EventBus } from '../events/EventBus.js';
import type { PlazaEvents } from '../events/PlazaEvents.js';
import type { InboxPlace, InboxWriter } from '../inbox/InboxWriter.js';
import { parseInput, type RawParams } from '../shared/input.js';
import { toAuthorSummary } from '../users/AuthorSummary.js';
import type { Post } from './Post.js';
import {
  createPostInput,
  DEFAULT_PAGE_SIZE,
  editPostInput,
  feedInput,
  listPostsInput,
  postIdInput,
  type CreatePostInput,
  type EditPostInput,
  type FeedInput,
  type ListPostsInput,
  type PostIdInput,
} from './postInputs.js';
import type { PostPage, PostView } from './Posts.js';

export type { PostPage, PostView } from './Posts.js';

/** A post joined with its author's summary (and, for a signed-in reader, their like). */
interface PostRow {
  readonly id: number;
  readonly author_id: number;
  readonly title: string;
  readonly text: string;
  readonly link: string | null;
  readonly posted_at: string | Date;
  readonly edited_at: string | Date;
  readonly likes_count: number | string;
  readonly comments_count: number | string;
  readonly username: string;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly avatar: string | null;
  readonly liked_by_me?: boolean | number;
}

const POST_COLUMNS = [
  'posts.id',
  'posts.author_id',
  'posts.title',
  'posts.text',
  'posts.link',
  'posts.posted_at',
  'posts.edited_at',
  'posts.likes_count',
  'posts.comments_count',
  // The author summary; its id is posts.author_id.
  'users.username',
  'users.first_name',
  'users.last_name',
  'users.avatar',
] as const;

/**
 * Liker ids per `post.edited` / `post.deleted` event: a post with many likes is announced in
 * several events, so that no event (a row of the PostgreSQL bus) grows large.
 */
export const LIKERS_PER_EVENT = 250;

/** The caller may not change this post: it is someone else's. */
export const notYourPost = () =>
  malformedParam('post_id', 'post_id is a post of another user; only its author may change it.');

type Ownership = { readonly outcome: 'missing' } | { readonly outcome: 'not yours' };

/** Each liker told, by id, with their inbox entry's place. */
type Told = Map<number, InboxPlace>;
type Edited = Ownership | { readonly outcome: 'edited'; view: PostView; likers: Told };
type Deleted = Ownership | { readonly outcome: 'deleted'; likers: Told };

export interface PostServiceDependencies {
  readonly Post: ModelClass<Post>;
  readonly db: Knex;
  readonly writes: WriteBatcher;
  readonly events: EventBus;
  readonly inbox: InboxWriter;
}

/** Writing, changing, removing and reading posts. */
export class PostService {
  readonly #deps: PostServiceDependencies;
  readonly #postgres: boolean;
  #readSql: string | undefined;
  #readAsViewerSql: string | undefined;

  constructor(deps: PostServiceDependencies) {
    this.#deps = deps;
    this.#postgres = dialectOf(deps.db) === 'postgres';
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

  async read(raw: PostIdInput | RawParams, viewerId?: number): Promise<PostView> {
    const { post_id: postId } = parseInput(postIdInput, raw);
    const { db } = this.#deps;
    // The hottest read: its SQL is compiled once, not built per request.
    let row: PostRow | undefined;
    if (viewerId === undefined) {
      this.#readSql ??= this.#views(db).where('posts.id', 0).toSQL().sql;
      [row] = await selectRows<PostRow>(db, this.#readSql, [postId]);
    } else {
      this.#readAsViewerSql ??= this.#views(db, 0).where('posts.id', 0).toSQL().sql;
      [row] = await selectRows<PostRow>(db, this.#readAsViewerSql, [viewerId, postId]);
    }
    if (!row) throw objectNotFound();
    return toView(row);
  }

  /** Newest first, optionally one author's, `limit` at a time (at most 100). */
  async list(raw: ListPostsInput | RawParams, viewerId?: number): Promise<PostPage> {
    const input = parseInput(listPostsInput, raw);
    const query = this.#views(this.#deps.db, viewerId);
    if (input.author_id != null) query.where('posts.author_id', input.author_id);
    return await pageOf(query, input);
  }

  /**
   * The posts of the people `userId` follows and their own, newest first. The page's ids come
   * first, from the (author_id, id) index alone; only those rows are then read, joined with
   * their authors and looked up in the likes. On PostgreSQL each author gives at most a page's
   * worth of ids (a lateral join), so prolific authors cost no more than quiet ones.
   */
  async feed(userId: number, raw: FeedInput | RawParams): Promise<PostPage> {
    const input = parseInput(feedInput, raw);
    const { db } = this.#deps;
    const limit = input.limit ?? DEFAULT_PAGE_SIZE;
    const before = input.before ?? null;
    const ids = (this.#postgres ? feedIdsLateral : feedIds)(userId, limit + 1, before);
    const query = this.#views(db, userId)
      .whereRaw(`posts.id in (${ids.sql})`, ids.bindings)
      .orderBy('posts.id', 'desc');
    return toPage((await query) as PostRow[], limit);
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

  /** @example await plaza.posts.edit(userId, { post_id: 7, title: 'Fixed typo' }) */
  async edit(authorId: number, raw: EditPostInput | RawParams): Promise<PostView> {
    const input = parseInput(editPostInput, raw);
    const changes: Record<string, string | null> = {};
    // Given empty, title and text are missing, as at creation; an empty link clears it.
    for (const field of ['title', 'text'] as const) {
      const value = input[field];
      if (value === null) throw missingParam(field);
      if (value !== undefined) changes[field] = value;
    }
    if (input.link !== undefined) changes['link'] = input.link;
    if (Object.keys(changes).length === 0) throw missingParam('title');
    changes['edited_at'] = new Date().toISOString();
    const announce = this.#deps.events.hasListeners('post.edited');
    // Nothing inside throws on purpose: on SQLite the work shares a transaction with others.
    const result = await this.#deps.writes.writeAtomically(async (trx): Promise<Edited> => {
      const updated = await trx('posts')
        .where({ id: input.post_id, author_id: authorId })
        .update(changes);
      if (updated === 0) return await ownershipOf(trx, input.post_id);
      const [row] = (await this.#views(trx, authorId).where(
        'posts.id',
        input.post_id,
      )) as PostRow[];
      if (row === undefined) return { outcome: 'missing' };
      const view = toView(row);
      const likers = await this.#deps.inbox.keepForLikers(trx, input.post_id, authorId, {
        type: 'post.edited',
        post_id: input.post_id,
        author_id: authorId,
        edited: view.edited,
        liker_ids: [],
      });
      return { outcome: 'edited', view, likers };
    });
    if (result.outcome === 'missing') throw objectNotFound();
    if (result.outcome === 'not yours') throw notYourPost();
    if (announce) {
      await this.#announce('post.edited', result.likers, (told) => ({
        post_id: input.post_id,
        author_id: authorId,
        edited: result.view.edited,
        ...told,
      }));
    }
    return result.view;
  }

  /** @example await plaza.posts.delete(userId, { post_id: 7 }) */
  async delete(authorId: number, raw: PostIdInput | RawParams): Promise<void> {
    const { post_id: postId } = parseInput(postIdInput, raw);
    const announce = this.#deps.events.hasListeners('post.deleted');
    const result = await this.#deps.writes.writeAtomically(async (trx): Promise<Deleted> => {
      // Locked first: a like, comment or edit racing this waits for it and then finds no post,
      // so nothing is left pointing at it (SQLite runs one write at a time anyway).
      const lookup = trx('posts').select('id', 'author_id').where('id', postId);
      const post = (await (this.#postgres ? lookup.forUpdate() : lookup).first()) as
        { author_id: number } | undefined;
      if (post === undefined) return { outcome: 'missing' };
      if (post.author_id !== authorId) return { outcome: 'not yours' };
      // Told before the likes go: they are who hears of it.
      const likers = await this.#deps.inbox.keepForLikers(trx, postId, authorId, {
        type: 'post.deleted',
        post_id: postId,
        author_id: authorId,
        liker_ids: [],
      });
      await forgetPostLikeDays(trx, postId);
      await trx('likes').where('post_id', postId).delete();
      await trx('comments').where('post_id', postId).delete();
      await trx('posts').where('id', postId).delete();
      return { outcome: 'deleted', likers };
    });
    if (result.outcome === 'missing') throw objectNotFound();
    if (result.outcome === 'not yours') throw notYourPost();
    if (announce) {
      await this.#announce('post.deleted', result.likers, (told) => ({
        post_id: postId,
        author_id: authorId,
        ...told,
      }));
    }
  }

  /**
   * Publishes one event per chunk of likers (one with none when nobody likes the post), each
   * liker with their inbox entry's place.
   */
  async #announce<K extends 'post.edited' | 'post.deleted'>(
    type: K,
    likers: Told,
    payload: (told: {
      liker_ids: number[];
      inbox_ids: number[];
      inbox_afters: number[];
    }) => PlazaEvents[K],
  ): Promise<void> {
    const ids = [...likers.keys()].sort((a, b) => a - b);
    let start = 0;
    do {
      const chunk = ids.slice(start, start + LIKERS_PER_EVENT);
      const places = chunk.map((id) => likers.get(id) ?? { id: 0, after: 0 });
      await this.#deps.events.publish(
        type,
        payload({
          liker_ids: chunk,
          inbox_ids: places.map((place) => place.id),
          inbox_afters: places.map((place) => place.after),
        }),
      );
      start += LIKERS_PER_EVENT;
    } while (start < ids.length);
  }

  /**
   * Posts with their authors, kept counts and, for a signed-in `viewerId`, whether they like
   * each: one statement for a whole page. Plain Knex, as model instances buy nothing here.
   */
  #views(db: Knex, viewerId?: number): Knex.QueryBuilder {
    const query = db('posts')
      .join('users', 'users.id', 'posts.author_id')
      .select(...POST_COLUMNS);
    if (viewerId !== undefined) {
      // The likes primary key (post_id, user_id) answers this for each post of the page.
      query.select(
        db.raw(
          'exists (select 1 from likes where likes.post_id = posts.id and likes.user_id = ?) as liked_by_me',
          [viewerId],
        ),
      );
    }
    return query;
  }
}

/** A page, newest first, `limit` at a time: one more row is asked for to know if there is more. */
async function pageOf(
  query: Knex.QueryBuilder,
  input: { readonly limit?: number | null; readonly before?: number | null },
): Promise<PostPage> {
  const limit = input.limit ?? DEFAULT_PAGE_SIZE;
  if (input.before != null) query.where('posts.id', '<', input.before);
  const rows = (await query.orderBy('posts.id', 'desc').limit(limit + 1)) as PostRow[];
  return toPage(rows, limit);
}

/** Up to `limit` rows newest first, and one more if there are more. */
function toPage(rows: readonly PostRow[], limit: number): PostPage {
  const page = rows.slice(0, limit).map(toView);
  const next = rows.length > limit ? (page.at(-1)?.post_id ?? null) : null;
  return { posts: page, next };
}

interface Statement {
  readonly sql: string;
  readonly bindings: readonly number[];
}

/** Whose posts are in a feed: the people `userId` follows, and `userId`. */
const FEED_AUTHORS = 'select followee_id from follows where follower_id = ? union all select ?';

/** The ids of a feed page, newest first, from the posts (author_id, id) index. */
function feedIds(userId: number, count: number, before: number | null): Statement {
  const older = before === null ? '' : 'and feed.id < ? ';
  return {
    sql:
      `select feed.id from posts as feed where feed.author_id in (${FEED_AUTHORS}) ${older}` +
      'order by feed.id desc limit ?',
    bindings: [userId, userId, ...(before === null ? [] : [before]), count],
  };
}

/** The same on PostgreSQL: at most `count` ids of each author, then the newest `count`. */
function feedIdsLateral(userId: number, count: number, before: number | null): Statement {
  const older = before === null ? '' : 'and feed.id < ? ';
  return {
    sql:
      `select ids.id from (${FEED_AUTHORS}) as authors(author_id) cross join lateral ` +
      `(select feed.id from posts as feed where feed.author_id = authors.author_id ${older}` +
      'order by feed.id desc limit ?) as ids order by ids.id desc limit ?',
    bindings: [userId, userId, ...(before === null ? [] : [before]), count, count],
  };
}

/** Why a post could not be changed: there is none, or it is someone else's. */
async function ownershipOf(trx: Knex, postId: number): Promise<Ownership> {
  const post: unknown = await trx('posts').select('id').where('id', postId).first();
  return post === undefined ? { outcome: 'missing' } : { outcome: 'not yours' };
}

/** Who hears of a change to a post: the people who like it, but not its author, who made it. */
function toView(row: PostRow): PostView {
  const view = {
    post_id: row.id,
    author_id: row.author_id,
    title: row.title,
    text: row.text,
    link: row.link,
    likes: Number(row.likes_count),
    posted: toIsoTimestamp(row.posted_at),
    edited: toIsoTimestamp(row.edited_at),
    author: toAuthorSummary({
      id: row.author_id,
      username: row.username,
      first_name: row.first_name,
      last_name: row.last_name,
      avatar: row.avatar,
    }),
    comments: Number(row.comments_count),
  };
  return row.liked_by_me === undefined ? view : { ...view, liked_by_me: Boolean(row.liked_by_me) };
}
