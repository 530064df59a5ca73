import type { Knex } from 'knex';
import { toIsoTimestamp } from '../adapters/db/dbErrors.js';
import { invalidToken } from '../errors.js';
import { PROFILE_FIELDS } from '../users/User.js';
import type { NotificationType } from '../inbox/notificationFields.js';
import type { NotificationView } from '../inbox/Notifications.js';
import type {
  AccountExport,
  ExportedAccount,
  ExportedComment,
  ExportedEnrichmentJob,
  ExportedFollow,
  ExportedLike,
  ExportedPost,
  ExportedSession,
} from './Account.js';

type Row = Record<string, unknown>;

const iso = (value: unknown): string => toIsoTimestamp(value);
const isoOrNull = (value: unknown): string | null => (value == null ? null : iso(value));
const num = (value: unknown): number => Number(value);

/**
 * Reads everything Plaza holds about the user (one query per table, each over an index on
 * the user), outside any transaction: a write landing meanwhile may or may not be in it.
 * AUT_01 when the user does not exist (deleted since the token was checked). `pendingRequestMs`:
 * the user's last request as this process knows it and has not written yet (LastRequests).
 */
export async function exportAccount(
  db: Knex,
  userId: number,
  pendingRequestMs?: number,
): Promise<AccountExport> {
  const user = (await db('users')
    .select(
      'id',
      'username',
      'email',
      'email_verdict',
      ...PROFILE_FIELDS,
      'followers_count',
      'following_count',
      'created_at',
      'updated_at',
      'last_request_at',
    )
    .where('id', userId)
    .first()) as Row | undefined;
  if (user === undefined) throw invalidToken();

  const [posts, comments, likes, following, followers, sessions, jobs, inbox] = await Promise.all([
    db('posts')
      .select(
        'id',
        'title',
        'text',
        'link',
        'likes_count',
        'comments_count',
        'posted_at',
        'edited_at',
      )
      .where('author_id', userId)
      .orderBy('id') as Promise<Row[]>,
    db('comments')
      .select('id', 'post_id', 'text', 'created_at')
      .where('author_id', userId)
      .orderBy('id') as Promise<Row[]>,
    db('likes')
      .select('post_id', 'created_at')
      .where('user_id', userId)
      .orderBy('created_at')
      .orderBy('post_id') as Promise<Row[]>,
    db('follows')
      .join('users', 'users.id', 'follows.followee_id')
      .select('users.id as user_id', 'users.username', 'follows.created_at')
      .where('follows.follower_id', userId)
      .orderBy('follows.id') as Promise<Row[]>,
    db('follows')
      .join('users', 'users.id', 'follows.follower_id')
      .select('users.id as user_id', 'users.username', 'follows.created_at')
      .where('follows.followee_id', userId)
      .orderBy('follows.id') as Promise<Row[]>,
    db('user_sessions')
      .select('id', 'device', 'created_at', 'last_used_at', 'expires_at', 'revoked_at')
      .where('user_id', userId)
      .orderBy('id') as Promise<Row[]>,
    db('enrichment_jobs')
      .select('id', 'state', 'attempts', 'last_error', 'created_at', 'updated_at')
      .where('user_id', userId)
      .orderBy('id') as Promise<Row[]>,
    db('notifications')
      .select('id', 'type', 'payload', 'created_at', 'read')
      .where('user_id', userId)
      .orderBy('id') as Promise<Row[]>,
  ]);

  return {
    exported_at: new Date().toISOString(),
    account: accountOf(user, pendingRequestMs),
    posts: posts.map((row): ExportedPost => ({
      post_id: num(row['id']),
      title: String(row['title']),
      text: String(row['text']),
      link: (row['link'] as string | null) ?? null,
      likes: num(row['likes_count']),
      comments: num(row['comments_count']),
      posted: iso(row['posted_at']),
      edited: iso(row['edited_at']),
    })),
    comments: comments.map((row): ExportedComment => ({
      comment_id: num(row['id']),
      post_id: num(row['post_id']),
      text: String(row['text']),
      created: iso(row['created_at']),
    })),
    likes: likes.map((row): ExportedLike => ({
      post_id: num(row['post_id']),
      created: iso(row['created_at']),
    })),
    following: following.map(followOf),
    followers: followers.map(followOf),
    sessions: sessions.map((row): ExportedSession => ({
      session_id: num(row['id']),
      device: (row['device'] as string | null) ?? null,
      created: iso(row['created_at']),
      last_used: iso(row['last_used_at']),
      expires: iso(row['expires_at']),
      revoked: isoOrNull(row['revoked_at']),
    })),
    enrichment_jobs: jobs.map((row): ExportedEnrichmentJob => ({
      job_id: num(row['id']),
      state: String(row['state']),
      attempts: num(row['attempts']),
      last_error: (row['last_error'] as string | null) ?? null,
      created: iso(row['created_at']),
      updated: iso(row['updated_at']),
    })),
    notifications: inbox.map((row): NotificationView => ({
      id: num(row['id']),
      type: row['type'] as NotificationType,
      created: iso(row['created_at']),
      read: Boolean(row['read']),
      ...(JSON.parse(String(row['payload'])) as Record<string, unknown>),
    })),
  };
}

function accountOf(user: Row, pendingRequestMs: number | undefined): ExportedAccount {
  const stored =
    user['last_request_at'] == null ? undefined : Date.parse(iso(user['last_request_at']));
  const lastRequest =
    pendingRequestMs === undefined || (stored !== undefined && stored > pendingRequestMs)
      ? stored
      : pendingRequestMs;
  const profile = Object.fromEntries(
    PROFILE_FIELDS.map((field) => [field, user[field] ?? null]),
  ) as Pick<ExportedAccount, (typeof PROFILE_FIELDS)[number]>;
  return {
    user_id: num(user['id']),
    username: String(user['username']),
    email: String(user['email']),
    email_verdict: String(user['email_verdict']),
    ...profile,
    lat: user['lat'] == null ? null : num(user['lat']),
    lng: user['lng'] == null ? null : num(user['lng']),
    followers_count: num(user['followers_count']),
    following_count: num(user['following_count']),
    created: iso(user['created_at']),
    updated: iso(user['updated_at']),
    last_request: lastRequest === undefined ? null : new Date(lastRequest).toISOString(),
  };
}

function followOf(row: Row): ExportedFollow {
  return {
    user_id: num(row['user_id']),
    username: String(row['username']),
    since: iso(row['created_at']),
  };
}
