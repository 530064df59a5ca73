import type { Knex } from 'knex';
import { invalidToken, objectNotFound } from '../errors.js';
import { dialectOf } from '../adapters/db/createKnex.js';
import { isForeignKeyViolation } from '../adapters/db/dbErrors.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import type { EventBus } from '../events/EventBus.js';
import type { PostLikeChange } from '../events/PlazaEvents.js';
import type { InboxWriter } from '../inbox/InboxWriter.js';
import type { Logger } from '../logger.js';
import { parseInput, type RawParams } from '../shared/input.js';
import { postIdInput, type PostIdInput } from '../posts/postInputs.js';
import { selectRows } from '../adapters/db/selectRows.js';
import { countLikeMade, countLikeTaken, utcDayOf } from '../analytics/likeDays.js';

export interface LikeServiceDependencies {
  readonly db: Knex;
  readonly writes: WriteBatcher;
  readonly events: EventBus;
  readonly inbox: InboxWriter;
  readonly logger: Logger;
}

type LikeEventType = 'post.liked' | 'post.unliked';

interface CountedPost {
  readonly author_id: number;
  readonly likes_count: number | string;
}

/**
 * Liking and unliking; both idempotent, and the primary key keeps one like per user and post.
 * The post's `likes_count` and the likes per day (likeDays.ts) change in the same transaction
 * as its likes, so reads never count. A like or unlike that changed something is kept in the
 * author's inbox in that transaction, and announced as `post.liked` / `post.unliked` once it
 * committed, with the count it left.
 */
export class LikeService {
  readonly #deps: LikeServiceDependencies;
  readonly #postgres: boolean;
  readonly #likeDay: string;

  constructor(deps: LikeServiceDependencies) {
    this.#deps = deps;
    this.#postgres = dialectOf(deps.db) === 'postgres';
    this.#likeDay = utcDayOf(dialectOf(deps.db), 'created_at');
  }

  /** @example await plaza.likes.like(userId, { post_id: 7 }) */
  async like(userId: number, raw: PostIdInput | RawParams): Promise<void> {
    const { post_id: postId } = parseInput(postIdInput, raw);
    let change: PostLikeChange | undefined;
    try {
      const createdAt = new Date().toISOString();
      // The count changes in the transaction of the row it counts, and only when a row came.
      change = await this.#deps.writes.writeAtomically(async (trx) => {
        const rows = await trx('likes')
          .insert({ post_id: postId, user_id: userId, created_at: createdAt })
          .onConflict(['post_id', 'user_id'])
          .ignore()
          .returning('post_id');
        if (rows.length === 0) return undefined;
        const [post] = await trx('posts')
          .where('id', postId)
          .update({ likes_count: trx.raw('likes_count + 1') })
          .returning<CountedPost[]>(['author_id', 'likes_count']);
        if (post !== undefined) {
          await countLikeMade(trx, postId, post.author_id, createdAt.slice(0, 10));
        }
        // The inbox last: its lock is the last this transaction takes (see InboxWriter).
        return await this.#keep(trx, 'post.liked', postId, userId, post);
      });
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      // Either the post or the token's user does not exist; only the former is the caller's fault.
      if (!(await this.#postExists(postId))) throw objectNotFound();
      throw invalidToken(error);
    }
    if (change !== undefined) await this.#announce('post.liked', change);
  }

  async unlike(userId: number, raw: PostIdInput | RawParams): Promise<void> {
    const { post_id: postId } = parseInput(postIdInput, raw);
    const removed = await this.#deps.writes.writeAtomically(async (trx) => {
      if (this.#postgres) {
        // The post's row first, as a deletion of the post locks it first: taking the like's
        // row before it would let the two wait for each other.
        await trx('posts').select('id').where('id', postId).forNoKeyUpdate();
      }
      // The like comes off the day it was made.
      const gone = await selectRows<{ day: string }>(
        trx,
        `delete from likes where post_id = ? and user_id = ? returning ${this.#likeDay} as day`,
        [postId, userId],
      );
      let post: CountedPost | undefined;
      for (const { day } of gone) {
        [post] = await trx('posts')
          .where('id', postId)
          .decrement('likes_count', 1)
          .returning<CountedPost[]>(['author_id', 'likes_count']);
        await countLikeTaken(trx, postId, day);
      }
      if (gone.length === 0) return undefined;
      return await this.#keep(trx, 'post.unliked', postId, userId, post);
    });
    if (removed !== undefined) await this.#announce('post.unliked', removed);
    else if (!(await this.#postExists(postId))) throw objectNotFound();
  }

  /** Keeps the change in the author's inbox, in the transaction that made it. */
  async #keep(
    trx: Knex,
    type: LikeEventType,
    postId: number,
    byUserId: number,
    post: CountedPost | undefined,
  ): Promise<PostLikeChange> {
    if (post === undefined) throw new Error('The database returned no row for the liked post.');
    const change = {
      post_id: postId,
      author_id: post.author_id,
      by_user_id: byUserId,
      likes: Number(post.likes_count),
    };
    const place = await this.#deps.inbox.keep(trx, post.author_id, byUserId, { type, ...change });
    return { ...change, inbox_id: place.id, inbox_after: place.after };
  }

  async #announce(type: LikeEventType, change: PostLikeChange): Promise<void> {
    try {
      await this.#deps.events.publish(type, change);
    } catch (error) {
      // The change is committed and kept in the inbox; what is lost here is a live notice.
      this.#deps.logger.warn({ err: error, post_id: change.post_id }, 'could not announce a like');
    }
  }

  async #postExists(postId: number): Promise<boolean> {
    return (await this.#deps.db('posts').select('id').where('id', postId).first()) !== undefined;
  }
}
