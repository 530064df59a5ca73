import type { Notification } from './notifications.js';
import type { HttpTransport } from './http.js';
import type { TokenStore } from './TokenStore.js';
import type { Profile } from './types.js';

/**
 * Your account's own row, as the export gives it: every field but secrets. Your profile with
 * `email` always there, and no `following` (that is a viewer's).
 */
export interface ExportedAccount extends Omit<Profile, 'email' | 'following'> {
  readonly email: string;
  /** What the email verifier said at sign-up. */
  readonly email_verdict: string;
  readonly created: string;
  readonly updated: string;
  /** Your last authenticated request (see `client.activity`), or null. */
  readonly last_request: string | null;
}

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

export interface ExportedComment {
  readonly comment_id: number;
  readonly post_id: number;
  readonly text: string;
  readonly created: string;
}

export interface ExportedLike {
  readonly post_id: number;
  readonly created: string;
}

/** The other person of a follow, and since when. */
export interface ExportedFollow {
  readonly user_id: number;
  readonly username: string;
  readonly since: string;
}

/** A signed-in device; its tokens are never exported. */
export interface ExportedSession {
  readonly session_id: number;
  readonly device: string | null;
  readonly created: string;
  readonly last_used: string;
  readonly expires: string;
  readonly revoked: string | null;
}

export interface ExportedEnrichmentJob {
  readonly job_id: number;
  readonly state: string;
  readonly attempts: number;
  readonly last_error: string | null;
  readonly created: string;
  readonly updated: string;
}

/** Everything the server holds about you (`GET /user/export`); lists oldest first. */
export interface AccountExport {
  readonly exported_at: string;
  readonly account: ExportedAccount;
  readonly posts: ExportedPost[];
  readonly comments: ExportedComment[];
  readonly likes: ExportedLike[];
  /** The people you follow. */
  readonly following: ExportedFollow[];
  /** The people who follow you. */
  readonly followers: ExportedFollow[];
  readonly sessions: ExportedSession[];
  readonly enrichment_jobs: ExportedEnrichmentJob[];
  /** Your inbox, as `notifications.list()` shows it, but oldest first. */
  readonly notifications: Notification[];
}

/** Leaving: take your data with you, then delete your account. */
export interface AccountApi {
  /** Everything the server holds about you, as one document (save it before `delete`). */
  export(): Promise<AccountExport>;
  /**
   * Deletes your account and everything you wrote, for good; `password` is asked again (a
   * wrong one is AUT_02, and counts as a failed login). Afterwards the client is signed out
   * and live events stop.
   */
  delete(password: string): Promise<void>;
}

/** `GET /user/export`, `POST /user/delete`. */
export function accountApi(http: HttpTransport, tokens: TokenStore): AccountApi {
  return {
    export: async () => (await http.send('GET', '/user/export')).data as AccountExport,
    async delete(password) {
      await http.send('POST', '/user/delete', { password });
      // The tokens stand for nobody now; forgetting them also closes live events.
      tokens.set(undefined);
    },
  };
}
