import type { RawParams } from '../shared/input.js';
import type { CreatePostInput, ListPostsInput, PostIdInput } from './postInputs.js';

/** A post as `GET /post/read` shows it. */
export interface PostView {
  readonly post_id: number;
  readonly author_id: number;
  readonly title: string;
  readonly text: string;
  readonly link: string | null;
  readonly likes: number;
  readonly posted: string;
  readonly edited: string;
}

/** One page of `GET /post/list`; pass `next` as `before` for the following page. */
export interface PostPage {
  readonly posts: PostView[];
  readonly next: number | null;
}

/**
 * Posts: `plaza.posts`.
 *
 * @example const { post_id } = await plaza.posts.create(userId, { title: 'Hi', text: '…' })
 */
export interface Posts {
  /** A new post by `authorId`; AUT_01 when that user no longer exists. */
  create(
    authorId: number,
    input: CreatePostInput | RawParams,
  ): Promise<{ readonly post_id: number }>;
  /** One post; USR_01 when there is no such post. */
  read(input: PostIdInput | RawParams): Promise<PostView>;
  /** Newest first, optionally one author's, `limit` at a time (at most 100). */
  list(input: ListPostsInput | RawParams): Promise<PostPage>;
  /** The ids of the users who like a post, in ascending order; USR_01 when there is no such post. */
  likers(input: PostIdInput | RawParams): Promise<{ readonly user_ids: number[] }>;
}
