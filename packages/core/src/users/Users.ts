import type { SessionContext } from '../sessions/Sessions.js';
import type { RawParams } from '../shared/input.js';
import type { Profile } from './Profile.js';
import type { ProfileInput, SignUpInput } from './userInputs.js';

/** A new account and its first session (`POST /user/data`). */
export interface SignUpResult {
  readonly user_id: number;
  readonly token: string;
  readonly expires_at: string;
  /** Gets the next access token (`auth.refresh`); shown once, stored only as a hash. */
  readonly refresh_token: string;
}

/**
 * Accounts: `plaza.users`.
 *
 * @example const { user_id, token } = await plaza.users.signUp({ username, password, email })
 */
export interface Users {
  /**
   * Creates an account and returns a session for it (access and refresh token), so a new user
   * need not log in; `context.device` labels the session. USR_02 for
   * a malformed field, USR_03 for an email the verifier refuses, USR_04 for a weak password,
   * USR_05 for a username already taken (or too like one).
   */
  signUp(input: SignUpInput | RawParams, context?: SessionContext): Promise<SignUpResult>;
  /** A user's profile as `viewerId` may see it (`email` only to the user themself); USR_01 when there is no such user. */
  profile(input: ProfileInput | RawParams, viewerId?: number): Promise<Profile>;
}
