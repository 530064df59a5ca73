import type { Knex } from 'knex';
import type { EventBus } from '../events/EventBus.js';
import type { Logger } from '../logger.js';

type LikeEventType = 'post.liked' | 'post.unliked';

interface LikeChange {
  readonly type: LikeEventType;
  readonly postId: number;
  readonly byUserId: number;
}

/** SQLite allows 999 bound values in older builds; stay well under. */
const MAX_IDS_PER_QUERY = 500;

/**
 * Announces committed likes and unlikes as `post.liked` / `post.unliked`. Changes that arrive
 * together share one query for their posts' authors and kept like counts, so a burst of likes
 * costs one extra statement, not one each; nothing is queried while nobody listens.
 *
 * @example announcer.announce('post.liked', postId, userId) // after the like committed
 */
export class LikeAnnouncer {
  readonly #db: Knex;
  readonly #events: EventBus;
  readonly #logger: Logger;
  #pending: LikeChange[] = [];
  #flushing: Promise<void> | undefined;

  constructor(db: Knex, events: EventBus, logger: Logger) {
    this.#db = db;
    this.#events = events;
    this.#logger = logger;
  }

  announce(type: LikeEventType, postId: number, byUserId: number): void {
    if (!this.#events.hasListeners(type)) return;
    this.#pending.push({ type, postId, byUserId });
    this.#flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.#flush(),
    );
  }

  /** Resolves once every change announced so far has been published (before closing). */
  async settled(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const changes = this.#pending.splice(0, MAX_IDS_PER_QUERY);
        await this.#publish(changes);
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  async #publish(changes: readonly LikeChange[]): Promise<void> {
    try {
      const ids = [...new Set(changes.map((change) => change.postId))];
      const rows = (await this.#db('posts')
        .select('id', 'author_id', 'likes_count')
        .whereIn('id', ids)) as Array<{
        id: number;
        author_id: number;
        likes_count: number | string;
      }>;
      const posts = new Map(rows.map((row) => [row.id, row]));
      for (const change of changes) {
        const post = posts.get(change.postId);
        if (post === undefined) continue;
        await this.#events.publish(change.type, {
          post_id: change.postId,
          author_id: post.author_id,
          by_user_id: change.byUserId,
          likes: Number(post.likes_count),
        });
      }
    } catch (error) {
      // The likes are committed; what is lost here is a notice, and the log says so.
      this.#logger.warn({ err: error, changes: changes.length }, 'could not announce like changes');
    }
  }
}
