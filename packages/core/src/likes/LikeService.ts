import type { Knex } from 'knex';
import { invalidToken, objectNotFound } from '../errors.js';
import { isForeignKeyViolation } from '../adapters/db/dbErrors.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import { parseInput } from '../shared/input.js';
import { postIdInput, type PostIdInput } from '../posts/postInputs.js';

/** Liking and unliking; both idempotent, and the primary key keeps one like per user and post. */
export class LikeService {
  readonly #db: Knex;
  readonly #writes: WriteBatcher;

  constructor(db: Knex, writes: WriteBatcher) {
    this.#db = db;
    this.#writes = writes;
  }

  /** @example await plaza.likes.like(userId, { post_id: 7 }) */
  async like(userId: number, raw: PostIdInput): Promise<void> {
    const { post_id: postId } = parseInput(postIdInput, raw);
    try {
      const createdAt = new Date().toISOString();
      await this.#writes.write((trx) =>
        trx('likes')
          .insert({ post_id: postId, user_id: userId, created_at: createdAt })
          .onConflict(['post_id', 'user_id'])
          .ignore(),
      );
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      // Either the post or the token's user does not exist; only the former is the caller's fault.
      if (!(await this.#postExists(postId))) throw objectNotFound();
      throw invalidToken(error);
    }
  }

  async unlike(userId: number, raw: PostIdInput): Promise<void> {
    const { post_id: postId } = parseInput(postIdInput, raw);
    const removed = await this.#writes.write((trx) =>
      trx('likes').where({ post_id: postId, user_id: userId }).delete(),
    );
    if (removed === 0 && !(await this.#postExists(postId))) throw objectNotFound();
  }

  async #postExists(postId: number): Promise<boolean> {
    return (await this.#db('posts').select('id').where('id', postId).first()) !== undefined;
  }
}
