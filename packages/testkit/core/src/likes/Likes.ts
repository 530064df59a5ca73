import type { RawParams } from '../shared/input.js';
import type { PostIdInput } from '../posts/postInputs.js';

/**
 * Likes: `plaza.likes`. Both are idempotent; each change is announced as `post.liked` or
 * `post.unliked`.
 *
 * @example await plaza.likes.like(userId, { post_id: 7 })
 */
export interface Likes {
  /** USR_01 when there is no such post. */
  like(userId: number, input: PostIdInput | RawParams): Promise<void>;
  unlike(userId: number, input: PostIdInput | RawParams): Promise<void>;
}
