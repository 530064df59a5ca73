import type { RawParams } from '../shared/input.js';
import type { ActivityInput } from './activityInputs.js';

/** When a person was last seen: `GET /user/activity`. */
export interface UserActivity {
  readonly user_id: number;
  /**
   * ISO 8601: their last sign-in (a login, a sign-up or a password change, each of which
   * starts a session) or refresh of a session; null if none is kept.
   */
  readonly last_login: string | null;
  /**
   * ISO 8601: their last authenticated request (an HTTP request with a valid token, or a
   * `/user-watch` authentication); null before the first. Another instance's requests
   * appear within a minute, when it writes them.
   */
  readonly last_request: string | null;
}

/**
 * `plaza.activity`: when people were last seen. Your own, or anyone's for the accounts named
 * in `adminUsernames`.
 *
 * @example const { last_login } = await plaza.activity.of(callerId, { user_id: 7 })
 */
export interface Activity {
  /**
   * The activity of `user_id` (default: the caller's own). Another person's only when the
   * caller is an admin, else AUT_04; for an admin, USR_01 when there is no such person.
   * AUT_01 when the caller no longer exists.
   */
  of(callerId: number, input?: ActivityInput | RawParams): Promise<UserActivity>;
}
