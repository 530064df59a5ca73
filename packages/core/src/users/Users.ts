import type { SessionContext } from '../sessions/Sessions.js';
import type { FollowInput, FollowListInput } from '../follows/followInputs.js';
import type { RawParams } from '../shared/input.js';
import type { Profile } from './Profile.js';
import type {
  ProfileInput,
  SignUpInput,
  UpdateProfileInput,
  UsernameLookupInput,
} from './userInputs.js';

/** A new account and its first session (`POST /user/data`). */
export interface SignUpResult {
  readonly user_id: number;
  readonly token: string;
  readonly expires_at: string;
  /** Gets the next access token (`auth.refresh`); shown once, stored only as a hash. */
  readonly refresh_token: string;
}

/** One page of followers or followings, newest follow first; pass `next` as `before`. */
export interface ProfilePage {
  readonly users: Profile[];
  readonly next: number | null;
}

/**
 * Accounts: `plaza.users`. Profiles seen by a signed-in `viewerId` say whether they follow
 * that user (`following`).
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
  /** The same, found by username in any case ("ADA" finds "ada"); USR_01 when there is none. */
  profileByUsername(input: UsernameLookupInput | RawParams, viewerId?: number): Promise<Profile>;
  /**
   * Changes `userId`'s own profile: the fields given (empty clears one, except `email`), and
   * answers the new profile. A new email is verified as at sign-up (USR_03, EXT_01; nothing
   * saved then). USR_02 when no field is given.
   */
  update(userId: number, input: UpdateProfileInput | RawParams): Promise<Profile>;
  /** `followerId` follows `user_id`; again changes nothing. USR_02 for yourself, USR_01 for nobody. */
  follow(followerId: number, input: FollowInput | RawParams): Promise<void>;
  /** Stops following; when not following, changes nothing. */
  unfollow(followerId: number, input: FollowInput | RawParams): Promise<void>;
  /** Who follows `user_id`, newest follow first, `limit` at a time (at most 100). */
  followers(input: FollowListInput | RawParams, viewerId?: number): Promise<ProfilePage>;
  /** Whom `user_id` follows, newest follow first. */
  following(input: FollowListInput | RawParams, viewerId?: number): Promise<ProfilePage>;
}
