import type { NotificationView } from '../inbox/Notifications.js';
import type { LoginContext } from '../auth/Auth.js';
import type { RawParams } from '../shared/input.js';
import type { Profile } from '../users/Profile.js';
import type { DeleteAccountInput } from './accountInputs.js';

/**
 * The account itself: every column of the user's row but the password hash and token version.
 * The profile with `email` always there, and no `following` (that is a viewer's).
 */
export interface ExportedAccount extends Omit<Profile, 'email' | 'following'> {
  readonly email: string;
  /** What the email verifier said at sign-up (or at the last email change). */
  readonly email_verdict: string;
  readonly created: string;
  readonly updated: string;
  /** The user's last authenticated request (as `plaza.activity` tells it), or null. */
  readonly last_request: string | null;
}

/** A post the user wrote, with its counts. */
export interface ExportedPost {
  readonly post_id: number;
  readonly title: string;
  readonly text: string;
  readonly link: string | null;
  readonly likes: number;
  readonly comments: number;
  readonly posted: string;
  readonly edited: string;
}

/** A comment the user wrote, on anyone's post. */
export interface ExportedComment {
  readonly comment_id: number;
  readonly post_id: number;
  readonly text: string;
  readonly created: string;
}

/** A like the user gave. */
export interface ExportedLike {
  readonly post_id: number;
  readonly created: string;
}

/** A follow, from the user's side: the other person and since when. */
export interface ExportedFollow {
  readonly user_id: number;
  readonly username: string;
  readonly since: string;
}

/** A signed-in device (never its tokens). */
export interface ExportedSession {
  readonly session_id: number;
  readonly device: string | null;
  readonly created: string;
  readonly last_used: string;
  readonly expires: string;
  readonly revoked: string | null;
}

/** A request to fill the profile in from the enrichment provider. */
export interface ExportedEnrichmentJob {
  readonly job_id: number;
  readonly state: string;
  readonly attempts: number;
  readonly last_error: string | null;
  readonly created: string;
  readonly updated: string;
}

/**
 * Everything Plaza holds about one user (`GET /user/export`): no password hash and no token
 * or token hash. Lists are oldest first.
 */
export interface AccountExport {
  readonly exported_at: string;
  readonly account: ExportedAccount;
  readonly posts: readonly ExportedPost[];
  readonly comments: readonly ExportedComment[];
  readonly likes: readonly ExportedLike[];
  /** The people the user follows. */
  readonly following: readonly ExportedFollow[];
  /** The people who follow the user. */
  readonly followers: readonly ExportedFollow[];
  readonly sessions: readonly ExportedSession[];
  readonly enrichment_jobs: readonly ExportedEnrichmentJob[];
  /** The user's inbox, as `GET /notifications` shows it, but oldest first. */
  readonly notifications: readonly NotificationView[];
}

/**
 * Leaving: `plaza.account`. Export then delete is the GDPR path.
 *
 * @example const mine = await plaza.account.export(userId); await plaza.account.delete(userId, { password })
 */
export interface Account {
  /** Everything Plaza holds about the user, as one document; AUT_01 when the user is gone. */
  export(userId: number): Promise<AccountExport>;
  /**
   * Deletes the account and everything it wrote (posts with their likes and comments, its
   * likes, comments and follows with the counts they were in, jobs, sessions, its failed-login
   * counters), in one transaction, after checking `password` as a login does: AUT_02 when it
   * is wrong, counted by the login throttle (AUT_03, RAT_01), and then nothing is deleted. Its
   * tokens stop working at once, and `user.deleted` ends its live sessions. AUT_01 when the
   * user is already gone.
   */
  delete(
    userId: number,
    input: DeleteAccountInput | RawParams,
    context?: LoginContext,
  ): Promise<void>;
}
