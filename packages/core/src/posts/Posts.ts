import type { RawParams } from '../shared/input.js';
import type { AuthorSummary } from '../users/AuthorSummary.js';
import type {
  CreatePostInput,
  EditPostInput,
  FeedInput,
  ListPostsInput,
  PostIdInput,
} from './postInputs.js';

/**
 * A post as `GET /post/read`, `GET /post/list` and `GET /feed` show it: the kept fields first,
 * then who wrote it, how many comments it has and, when someone signed in asks, whether they
 * like it.
 */
export interface PostView {
  readonly post_id: number;
  readonly author_id: number;
  readonly title: string;
  readonly text: string;
  readonly link: string | null;
  readonly likes: number;
  readonly posted: string;
  readonly edited: string;
  readonly author: AuthorSummary;
  readonly comments: number;
  /** Present only when the reader is signed in. */
  readonly liked_by_me?: boolean;
}

/** One page of `GET /post/list` or `GET /feed`; pass `next` as `before` for the following page. */
export interface PostPage {
  readonly posts: PostView[];
  readonly next: number | null;
}

/**
 * Posts: `plaza.posts`. `viewerId`, where a method takes it, is the signed-in reader (each
 * post then says whether they like it); leave it out for an anonymous one.
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
  read(input: PostIdInput | RawParams, viewerId?: number): Promise<PostView>;
  /** Newest first, optionally one author's, `limit` at a time (at most 100). */
  list(input: ListPostsInput | RawParams, viewerId?: number): Promise<PostPage>;
  /** The ids of the users who like a post, in ascending order; USR_01 when there is no such post. */
  likers(input: PostIdInput | RawParams): Promise<{ readonly user_ids: number[] }>;
  /**
   * Changes any of a post's `title`, `text` and `link` (an empty `link` clears it) and sets
   * its `edited` time; only its author may (USR_02 on `post_id` for anyone else). The people
   * who like it hear `post.edited`.
   *
   * @example await plaza.posts.edit(userId, { post_id: 7, title: 'Fixed typo' })
   */
  edit(authorId: number, input: EditPostInput | RawParams): Promise<PostView>;
  /**
   * Removes a post with its likes and comments, all at once; only its author may (USR_02 on
   * `post_id` for anyone else). The people who liked it hear `post.deleted`.
   *
   * @example await plaza.posts.delete(userId, { post_id: 7 })
   */
  delete(authorId: number, input: PostIdInput | RawParams): Promise<void>;
  /**
   * The posts of the people `userId` follows and their own, newest first, `limit` at a time.
   *
   * @example const { posts, next } = await plaza.posts.feed(userId, { limit: 20 })
   */
  feed(userId: number, input: FeedInput | RawParams): Promise<PostPage>;
}
