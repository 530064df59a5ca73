import { z } from 'zod';
import { listNotificationsInput, markNotificationsReadInput } from '@plaza/core/host';
import { isoDateTime, ok, rowId, type RouteDeclaration } from './routeDeclaration.js';
import { profileWire } from './wireShapes.js';

const count = z.int().min(0);

/** What every inbox entry has, before its event's own fields. */
const entry = <T extends string, F extends z.ZodRawShape>(type: T, fields: F) =>
  z.strictObject({
    id: rowId.meta({ description: 'The entry’s id: it only grows, per person.' }),
    type: z.literal(type),
    created: isoDateTime,
    read: z.boolean(),
    ...fields,
  });

/**
 * One inbox entry: the event's fields as the JSON WebSocket frame of the same `id` shows them.
 */
export const notificationWire = z.discriminatedUnion('type', [
  entry('post.liked', { post_id: rowId, by_user_id: rowId, likes: count }),
  entry('post.unliked', { post_id: rowId, by_user_id: rowId, likes: count }),
  entry('post.edited', { post_id: rowId, author_id: rowId, edited: isoDateTime }),
  entry('post.deleted', { post_id: rowId, author_id: rowId }),
  entry('comment.created', {
    comment_id: rowId,
    post_id: rowId,
    by_user_id: rowId,
    comments: count,
    excerpt: z.string(),
  }),
  entry('user.followed', { by_user_id: rowId, followers_count: count }),
  entry('enrichment.completed', { user_id: rowId, profile: profileWire }),
  entry('enrichment.failed', { user_id: rowId, reason: z.string() }),
]);

/** A page of the inbox, newest first; pass `next` as `before` for the following page. */
export const notificationPageWire = z.strictObject({
  notifications: z.array(notificationWire),
  next: rowId.nullable(),
  unread: count.meta({ description: 'Unread entries in the whole inbox.' }),
});

export const notificationsReadWire = z.strictObject({
  unread: count.meta({ description: 'Unread entries left.' }),
});

export const INBOX_WIRE_SCHEMAS = {
  Notification: notificationWire,
  NotificationPage: notificationPageWire,
  NotificationsRead: notificationsReadWire,
} as const;

export const INBOX_ROUTES = {
  listNotifications: {
    method: 'GET',
    path: '/notifications',
    name: 'listNotifications',
    tag: 'users',
    summary: 'Your inbox: every event you were told of, newest first',
    description:
      'Likes and unlikes of your posts, comments on them, new followers, your enrichment ' +
      'outcomes, edits and deletions of posts you like: each kept with an `id` that only grows ' +
      '(the `id` of its `/user-watch` frame). Pass `next` as `before` for the following page; ' +
      '`null`: no more. The newest 1,000 entries of at most 90 days are kept (INBOX_KEEP, ' +
      'INBOX_KEEP_DAYS).',
    auth: 'required',
    input: listNotificationsInput,
    answer: { status: 200, schema: ok(notificationPageWire) },
    errors: ['USR_02', 'AUT_01'],
  },
  markNotificationsRead: {
    method: 'POST',
    path: '/notifications/read',
    name: 'markNotificationsRead',
    tag: 'users',
    summary: 'Mark your inbox read up to an id',
    description:
      'Every entry with an id up to `up_to` (included) is read; answers the unread count left.',
    auth: 'required',
    input: markNotificationsReadInput,
    answer: { status: 200, schema: ok(notificationsReadWire) },
    errors: ['PAR_01', 'USR_02', 'AUT_01', 'RAT_01'],
  },
} as const satisfies Record<string, RouteDeclaration>;
