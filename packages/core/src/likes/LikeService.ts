import type { Knex } from 'knex';
import { invalidToken, objectNotFound } from '../errors.js';
import { dialectOf } from '../adapters/db/createKnex.js';
import { isForeignKeyViolation } from '../adapters/db/dbErrors.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import type { LikeAnnouncer } from './LikeAnnouncer.js';
import { parseInput, type RawParams } from '../shared/input.js';
import { postIdInput, type PostIdInput } from '../posts/postInputs.js';
import { selectRows } from '../adapters/db/selectRows.js';
import { countLikeMade, countLikeTaken, utcDayOf } from '../analytics/likeDays.js';

export interface LikeServiceDependencies {
  readonly db: Knex;
  readonly writes: WriteBatcher;
  readonly announcer: LikeAnnouncer;
}

/**
 * Liking and unliking; both idempotent, and the primary key keeps one like per user and post.
 * The post's `likes_count` and the likes per day (likeDays.ts) change in the same transaction
 * as its likes, so reads never count.
 * A like or unlike that changed something is announced as `post.liked` / `post.unliked`.
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
    let inserted: boolean;
    try {
      const createdAt = new Date().toISOString();
      // The count changes in the transaction of the row it counts, and only when a row came.
      inserted = await this.#deps.writes.writeAtomically(async (trx) => {
        const rows = await trx('likes')
          .insert({ post_id: postId, user_id: userId, created_at: createdAt })
          .onConflict(['post_id', 'user_id'])
          .ignore()
          .returning('post_id');
        if (rows.length === 0) return false;
        const [post] = await trx('posts')
          .where('id', postId)
          .update({ likes_count: trx.raw('likes_count + 1') })
          .returning<Array<{ author_id: number }>>('author_id');
        if (post !== undefined) {
          await countLikeMade(trx, postId, post.author_id, createdAt.slice(0, 10));
        }
        return true;
      });
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      // Either the post or the token's user does not exist; only the former is the caller's fault.
      if (!(await this.#postExists(postId))) throw objectNotFound();
      throw invalidToken(error);
    }
    if (inserted) this.#deps.announcer.announce('post.liked', postId, userId);
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
      for (const { day } of gone) {
        await trx('posts').where('id', postId).decrement('likes_count', 1);
        await countLikeTaken(trx, postId, day);
      }
      return gone.length;
    });
    if (removed > 0) this.#deps.announcer.announce('post.unliked', postId, userId);
    else if (!(await this.#postExists(postId))) throw objectNotFound();
  }

  async #postExists(postId: number): Promise<boolean> {
    return (await this.#deps.db('posts').select('id').where('id', postId).first()) !== undefined;
  }
}
