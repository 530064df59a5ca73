import type { PlazaApiError, PlazaNetworkError } from './errors.js';
import type { Profile } from './types.js';

/**
 * What every event the server sends carries: `id`, its entry in your inbox
 * (`client.notifications`). Ids only grow; the client resumes after the last one it saw.
 */
export interface InboxEvent {
  readonly id: number;
}

/** A change to the like count of one of your posts. */
export interface PostLikeChange extends InboxEvent {
  readonly post_id: number;
  readonly by_user_id: number;
  /** The post's like count after the change. */
  readonly likes: number;
}

/** Someone commented on one of your posts (your own comments are not announced). */
export interface CommentCreated extends InboxEvent {
  readonly comment_id: number;
  readonly post_id: number;
  /** Who wrote the comment. */
  readonly by_user_id: number;
  /** The post's comment count after it. */
  readonly comments: number;
  /** The comment's first 100 characters at most, ending with "…" when it is longer. */
  readonly excerpt: string;
}

/** Someone started following you. */
export interface UserFollowed extends InboxEvent {
  readonly by_user_id: number;
  /** Your followers count after it. */
  readonly followers_count: number;
}

/** What `events.on(type, listener)` hands each listener, by type. */
export interface LiveEventMap {
  /** Your enrichment finished; `profile` is your profile with empty fields filled. */
  readonly 'enrichment.completed': {
    readonly user_id: number;
    readonly profile: Profile;
  } & InboxEvent;
  /** Your enrichment gave up; `reason` can be shown to you. */
  readonly 'enrichment.failed': { readonly user_id: number; readonly reason: string } & InboxEvent;
  readonly 'post.liked': PostLikeChange;
  readonly 'post.unliked': PostLikeChange;
  /** A post you like was edited; `edited` is its new edited time (read it again to see it). */
  readonly 'post.edited': {
    readonly post_id: number;
    readonly author_id: number;
    readonly edited: string;
  } & InboxEvent;
  /** A post you liked was deleted. */
  readonly 'post.deleted': {
    readonly post_id: number;
    readonly author_id: number;
  } & InboxEvent;
  readonly 'comment.created': CommentCreated;
  readonly 'user.followed': UserFollowed;
  /** The connection is authenticated, at first and after each reconnect. */
  readonly ready: { readonly user_id: number };
  /**
   * Events you missed while disconnected were pruned from your inbox (it keeps the newest
   * 1,000, for 90 days): reload what you show (`notifications.list()`). Events from
   * `last_id` on arrive as usual.
   */
  readonly resync: { readonly last_id: number };
  /**
   * Your count of unread inbox entries: when the connection is ready, after each new event,
   * and after `notifications.markRead()`.
   */
  readonly unread: { readonly unread: number };
  /** The connection is gone; `retryInMs` is when the next attempt starts (undefined: none will). */
  readonly disconnected: {
    readonly code: number;
    readonly reason: string;
    readonly retryInMs: number | undefined;
  };
  /** The connection failed for good (its token was refused), or a listener threw. */
  readonly error: { readonly error: PlazaApiError | PlazaNetworkError | Error };
}

export type LiveEventType = keyof LiveEventMap;

/** The events the server sends (the others are about the connection). */
export const SERVER_EVENT_TYPES = [
  'enrichment.completed',
  'enrichment.failed',
  'post.liked',
  'post.unliked',
  'post.edited',
  'post.deleted',
  'comment.created',
  'user.followed',
] as const satisfies readonly LiveEventType[];

export type LiveEventListener<K extends LiveEventType> = (event: LiveEventMap[K]) => void;

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
