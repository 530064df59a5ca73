import type { Profile } from '../users/Profile.js';

/**
 * Everything the core announces, by event type. Payloads hold ids and small values only, so
 * a bus between processes can carry them as they are.
 */
export interface PlazaEvents {
  /** A queued enrichment finished; `profile` is the user's profile after empty fields were filled. */
  readonly 'enrichment.completed': {
    readonly user_id: number;
    readonly profile: Profile;
  } & InboxPlaced;
  /** A queued enrichment gave up; `reason` is safe to show the user. */
  readonly 'enrichment.failed': { readonly user_id: number; readonly reason: string } & InboxPlaced;
  readonly 'post.created': { readonly post_id: number; readonly author_id: number };
  /** `likes` is the post's like count after the change. */
  readonly 'post.liked': PostLikeChange;
  readonly 'post.unliked': PostLikeChange;
  /**
   * A post was edited (`edited` is its new edited time); `liker_ids` are people who like it,
   * who hear of it. A post with many likes is announced in several events, a few hundred
   * likers each.
   */
  readonly 'post.edited': PostEdited;
  /** A post was deleted, with its likes and comments; `liker_ids` as for `post.edited`. */
  readonly 'post.deleted': PostDeleted;
  /**
   * The user's token version was raised to `token_version` (a password change or a logout
   * everywhere): every token carrying a lower one is invalid now, and sessions opened with one
   * should end.
   */
  readonly 'auth.tokens_revoked': { readonly user_id: number; readonly token_version: number };
  /**
   * The account was deleted, with everything it wrote: its tokens are invalid now, and its
   * live sessions should end.
   */
  readonly 'user.deleted': { readonly user_id: number };
  /**
   * One session ended (a logout, or its refresh token used twice): the access tokens carrying
   * its id are invalid now, and sockets opened with one should end.
   */
  readonly 'auth.session_ended': { readonly user_id: number; readonly session_id: number };
  /** Someone commented on `author_id`'s post (never announced for a comment on one's own post). */
  readonly 'comment.created': CommentCreated;
  /** `by_user_id` now follows `user_id`, who has `followers_count` followers after it. */
  readonly 'user.followed': UserFollowed;
}

/**
 * Where an event told to one person sits in their inbox: `inbox_id`, its entry's id, and
 * `inbox_after`, the id of the entry before it (0: none), so a socket can tell whether it
 * missed one. Set by Plaza's own publishers; absent on events published without an inbox.
 */
export interface InboxPlaced {
  readonly inbox_id?: number;
  readonly inbox_after?: number;
}

/** The same for an event told to many (`liker_ids`): one id and one `after` per liker, alike. */
export interface InboxPlacedForMany {
  readonly inbox_ids?: readonly number[];
  readonly inbox_afters?: readonly number[];
}

export interface UserFollowed extends InboxPlaced {
  readonly user_id: number;
  readonly by_user_id: number;
  readonly followers_count: number;
}

export interface PostLikeChange extends InboxPlaced {
  readonly post_id: number;
  readonly author_id: number;
  readonly by_user_id: number;
  readonly likes: number;
}

export interface PostEdited extends InboxPlacedForMany {
  readonly post_id: number;
  readonly author_id: number;
  readonly edited: string;
  readonly liker_ids: readonly number[];
}

export interface PostDeleted extends InboxPlacedForMany {
  readonly post_id: number;
  readonly author_id: number;
  readonly liker_ids: readonly number[];
}

/** `comments` is the post's comment count after it; `excerpt` the text's first 100 characters. */
export interface CommentCreated extends InboxPlaced {
  readonly comment_id: number;
  readonly post_id: number;
  /** The post's author, who is told. */
  readonly author_id: number;
  readonly by_user_id: number;
  readonly comments: number;
  readonly excerpt: string;
}

export type PlazaEventType = keyof PlazaEvents;

/** One event with its type, as listeners of several types receive it. */
export type PlazaEvent = {
  readonly [K in PlazaEventType]: { readonly type: K } & PlazaEvents[K];
}[PlazaEventType];

export const PLAZA_EVENT_TYPES: readonly PlazaEventType[] = [
  'enrichment.completed',
  'enrichment.failed',
  'post.created',
  'post.liked',
  'post.unliked',
  'post.edited',
  'post.deleted',
  'auth.tokens_revoked',
  'user.deleted',
  'auth.session_ended',
  'comment.created',
  'user.followed',
];
