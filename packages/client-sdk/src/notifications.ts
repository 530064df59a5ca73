import type { HttpTransport } from './http.js';
import type { LiveEventMap } from './liveEventTypes.js';

type Fields<K extends keyof LiveEventMap> = Omit<LiveEventMap[K], 'id'>;

/** What every inbox entry has, before its event's fields. */
interface EntryOf<K extends keyof LiveEventMap> {
  readonly id: number;
  readonly type: K;
  /** ISO 8601: when it was kept. */
  readonly created: string;
  readonly read: boolean;
}

/**
 * One inbox entry: its id (the live event's `id`), type, when it was kept, whether it was
 * marked read, and the event's fields as `events.on(type, …)` hands them.
 */
export type Notification = {
  [
    K in
      | 'post.liked'
      | 'post.unliked'
      | 'post.edited'
      | 'post.deleted'
      | 'comment.created'
      | 'user.followed'
      | 'enrichment.completed'
      | 'enrichment.failed'
  ]: EntryOf<K> & Fields<K>;
}[
  | 'post.liked'
  | 'post.unliked'
  | 'post.edited'
  | 'post.deleted'
  | 'comment.created'
  | 'user.followed'
  | 'enrichment.completed'
  | 'enrichment.failed'];

export interface NotificationQuery {
  /** 1 to 100; the server's default is 20. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly before?: number;
}

/** One page, newest first; pass `next` as `before` for the following page (null: no more). */
export interface NotificationPage {
  readonly notifications: readonly Notification[];
  readonly next: number | null;
  /** Your unread entries in all. */
  readonly unread: number;
}

export interface NotificationsApi {
  /** One page of your inbox, newest first. */
  list(query?: NotificationQuery): Promise<NotificationPage>;
  /** Your whole inbox from `query.before` on, newest first, fetched page by page. */
  iterate(query?: NotificationQuery): AsyncIterableIterator<Notification>;
  /**
   * Marks every entry up to `upTo` (an id, included) read; answers the unread count left,
   * which `events.on('unread', …)` hears too.
   */
  markRead(upTo: number): Promise<{ readonly unread: number }>;
}

/** `client.notifications`: the inbox routes. */
export function notificationsApi(
  http: HttpTransport,
  unreadIs: (unread: number) => void,
): NotificationsApi {
  const list = async (query: NotificationQuery = {}): Promise<NotificationPage> =>
    (await http.send('GET', '/notifications', { ...query })).data as NotificationPage;
  return {
    list,
    async *iterate(query: NotificationQuery = {}) {
      let before = query.before;
      for (;;) {
        const page = await list(before === undefined ? query : { ...query, before });
        yield* page.notifications;
        if (page.next === null) return;
        before = page.next;
      }
    },
    async markRead(upTo) {
      const answer = (await http.send('POST', '/notifications/read', { up_to: upTo })).data as {
        unread: number;
      };
      unreadIs(answer.unread);
      return answer;
    },
  };
}
