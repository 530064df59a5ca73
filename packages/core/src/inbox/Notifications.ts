import type { RawParams } from '../shared/input.js';
import type { ListNotificationsInput, MarkNotificationsReadInput } from './inboxInputs.js';
import type { NotificationType } from './notificationFields.js';

/**
 * One inbox entry: its id, the event's type, when it was kept, whether it was marked read,
 * and the event's fields as the JSON WebSocket frame shows them (`post_id`, `by_user_id`…).
 */
export interface NotificationView {
  readonly id: number;
  readonly type: NotificationType;
  readonly created: string;
  readonly read: boolean;
  readonly [field: string]: unknown;
}

/** A page, newest first; `next` is the `before` of the following page (null: no more). */
export interface NotificationPage {
  readonly notifications: NotificationView[];
  readonly next: number | null;
  /** Unread entries in the whole inbox. */
  readonly unread: number;
}

/** A kept entry as a socket replays it: its id, type, and fields. */
export interface KeptNotification {
  readonly id: number;
  readonly type: NotificationType;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** What a socket resuming after `since` is sent first. */
export type Replay =
  | { readonly kind: 'entries'; readonly entries: readonly KeptNotification[] }
  /** Entries after `since` were pruned: the client should reload. */
  | { readonly kind: 'resync' };

/**
 * The inbox: `plaza.notifications`. Every event a person is told of (likes and unlikes of their
 * posts, comments on them, new followers, enrichment outcomes, edits and deletions of posts
 * they like) is kept with an id that only grows per person.
 *
 * @example const { notifications, unread } = await plaza.notifications.list(userId, { limit: 20 })
 */
export interface Notifications {
  list(userId: number, input?: ListNotificationsInput | RawParams): Promise<NotificationPage>;
  /** Marks every entry up to `up_to` (included) read; answers the unread count after it. */
  markRead(
    userId: number,
    input: MarkNotificationsReadInput | RawParams,
  ): Promise<{ readonly unread: number }>;
  /** The newest entry's id (0: none) and the unread count. */
  head(userId: number): Promise<{ readonly last_id: number; readonly unread: number }>;
  /**
   * The entries after `since` and up to `upTo` (default: all), oldest first, at most `limit`;
   * or `resync` when some after `since` were pruned.
   */
  after(userId: number, since: number, upTo?: number, limit?: number): Promise<Replay>;
}
