import type { PlazaEvent } from '../events/PlazaEvents.js';

/**
 * The events a person is told of, and kept in their inbox: likes and unlikes of their posts,
 * comments on them, new followers, their enrichment outcomes, edits and deletions of posts they
 * like.
 */
export type NotifiedEvent = Extract<
  PlazaEvent,
  {
    readonly type:
      | 'enrichment.completed'
      | 'enrichment.failed'
      | 'post.liked'
      | 'post.unliked'
      | 'post.edited'
      | 'post.deleted'
      | 'comment.created'
      | 'user.followed';
  }
>;

export type NotificationType = NotifiedEvent['type'];

export const NOTIFICATION_TYPES: readonly NotificationType[] = [
  'enrichment.completed',
  'enrichment.failed',
  'post.liked',
  'post.unliked',
  'post.edited',
  'post.deleted',
  'comment.created',
  'user.followed',
];

/**
 * What the person who receives `event` is shown of it, in this key order: the fields of the
 * JSON WebSocket frame (after its `type`) and of an inbox entry. What only the bus needs (the
 * receiver's own id, the likers listed, inbox ids) is left out.
 *
 * @example notificationFields({ type: 'post.liked', post_id: 1, author_id: 2, by_user_id: 3, likes: 1 })
 * // { post_id: 1, by_user_id: 3, likes: 1 }
 */
export function notificationFields(event: NotifiedEvent): Record<string, unknown> {
  switch (event.type) {
    case 'enrichment.completed':
      return { user_id: event.user_id, profile: event.profile };
    case 'enrichment.failed':
      return { user_id: event.user_id, reason: event.reason };
    case 'post.liked':
    case 'post.unliked':
      // The author is the receiver, so `author_id` would say nothing.
      return { post_id: event.post_id, by_user_id: event.by_user_id, likes: event.likes };
    case 'post.edited':
      return { post_id: event.post_id, author_id: event.author_id, edited: event.edited };
    case 'post.deleted':
      return { post_id: event.post_id, author_id: event.author_id };
    case 'comment.created':
      return {
        comment_id: event.comment_id,
        post_id: event.post_id,
        by_user_id: event.by_user_id,
        comments: event.comments,
        excerpt: event.excerpt,
      };
    case 'user.followed':
      // To the followed user, so their own id would say nothing.
      return { by_user_id: event.by_user_id, followers_count: event.followers_count };
  }
}
