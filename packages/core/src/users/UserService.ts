import type { ModelClass } from 'objection';
import {
  emailDoesNotVerify,
  invalidToken,
  malformedParam,
  objectNotFound,
  passwordTooWeak,
  PlazaError,
  usernameTaken,
} from '../errors.js';
import type { Logger } from '../logger.js';
import type { TokenIssuer } from '../auth/TokenIssuer.js';
import type { SessionContext } from '../sessions/Sessions.js';
import type { SessionStates } from '../sessions/SessionStates.js';
import type { SessionStore, StartedSession } from '../sessions/SessionStore.js';
import type { PasswordHasher } from '../auth/PasswordHasher.js';
import { isUniqueViolation } from '../adapters/db/dbErrors.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import { parseInput, type RawParams } from '../shared/input.js';
import type { EnrichmentService } from '../enrichment/EnrichmentService.js';
import type { FollowInput, FollowListInput } from '../follows/followInputs.js';
import { followedAmong } from '../follows/followedAmong.js';
import type { FollowService } from '../follows/FollowService.js';
import type { EmailVerifier } from './EmailVerifier.js';
import type { PasswordPolicy } from './PasswordPolicy.js';
import type { Profile } from './Profile.js';
import { PROFILE_COLUMNS, toProfile, type ProfileSource } from './toProfile.js';
import { PROFILE_FIELDS, usernameKey, type User } from './User.js';
import {
  profileInput,
  signUpInput,
  updateProfileInput,
  usernameLookupInput,
  type ProfileInput,
  type SignUpInput,
  type UpdateProfileInput,
  type UsernameLookupInput,
} from './userInputs.js';
import { lookAlikeSkeletons, usernameSkeleton } from './usernameSkeleton.js';
import type { ProfilePage, SignUpResult, Users } from './Users.js';

export type { ProfilePage, SignUpResult } from './Users.js';

export const NOTHING_TO_UPDATE_MESSAGE = 'Give at least one profile field to change.';
export const EMAIL_REQUIRED_MESSAGE = 'email cannot be empty: give the new address.';

export interface UserServiceDependencies {
  readonly User: ModelClass<User>;
  readonly policy: PasswordPolicy;
  readonly hasher: PasswordHasher;
  readonly verifier: EmailVerifier;
  readonly tokens: TokenIssuer;
  readonly logger: Logger;
  /** Queues the new user's enrichment in the sign-up's own transaction. */
  readonly enrichment?: EnrichmentService;
  /** Starts the new user's first session in the sign-up's own transaction. */
  readonly sessions: SessionStore;
  /** Told of the new session, so its first requests need no read. */
  readonly sessionStates?: SessionStates;
  /** Follows and the lists of them. */
  readonly follows: FollowService;
  /** Profile changes go through the shared group commit. */
  readonly writes: WriteBatcher;
}

/** Sign-up, profiles and follows. */
export class UserService implements Users {
  readonly #deps: UserServiceDependencies;

  constructor(deps: UserServiceDependencies) {
    this.#deps = deps;
  }

  /**
   * Creates an account and returns a session for it (an access token and a refresh token),
   * so a new user need not log in; `context.device` labels the session.
   * Checks run cheapest first; the email verifier and the hash run only for a
   * request that could succeed, and nothing is saved unless everything passed.
   *
   * @example const { user_id, token } = await plaza.users.signUp({ username, password, email })
   */
  async signUp(raw: SignUpInput | RawParams, context: SessionContext = {}): Promise<SignUpResult> {
    const input = parseInput(signUpInput, raw);
    const { User, policy, hasher, verifier, tokens, logger } = this.#deps;
    const strength = policy.check(input.password, [input.username, input.email]);
    if (!strength.acceptable) throw passwordTooWeak('password', strength.hint);

    // A name is taken when it is one in another case or width (its key), and when it only
    // looks like one (its confusable skeleton: "аdmin" in Cyrillic beside "admin"; or that of
    // the name as typed: Cherokee "Ꭺdam" beside "adam").
    const key = usernameKey(input.username);
    const skeleton = usernameSkeleton(input.username);
    const taken = await User.query()
      .select('id')
      .where('username_key', key)
      .orWhereIn('username_skeleton', lookAlikeSkeletons(input.username))
      .first();
    if (taken) throw usernameTaken();

    const verdict = await verifier.verify(input.email);
    if (!verdict.deliverable) throw emailDoesNotVerify();

    const passwordHash = await hasher.hash(input.password);
    const now = new Date().toISOString();
    const profile = Object.fromEntries(
      PROFILE_FIELDS.filter((field) => input[field] != null).map((field) => [field, input[field]]),
    );
    let user: User;
    let session: StartedSession;
    try {
      [user, session] = await User.knex().transaction(async (trx) => {
        const created = await User.query(trx).insert({
          ...profile,
          username: input.username,
          username_key: key,
          username_skeleton: skeleton,
          email: input.email,
          email_verdict: verdict.status,
          password_hash: passwordHash,
          created_at: now,
          updated_at: now,
        });
        await this.#deps.enrichment?.requestInTransaction(trx, created.id);
        const started = await this.#deps.sessions.start(trx, created.id, context.device);
        return [created, started] as const;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw usernameTaken();
      throw error;
    }
    this.#deps.enrichment?.afterCommit();
    logger.info({ user_id: user.id, email_verdict: verdict.status }, 'user signed up');
    this.#deps.sessionStates?.learnLive(session.sessionId, user.id, session.expiresAt);
    // A new user's tokens start at version 0, the column's default.
    const issued = tokens.issue(user.id, 0, session.sessionId);
    return {
      user_id: user.id,
      token: issued.token,
      expires_at: issued.expiresAt,
      refresh_token: session.refreshToken,
    };
  }

  /** A user's profile as `viewerId` may see it. USR_01 when there is no such user. */
  async profile(raw: ProfileInput | RawParams, viewerId?: number): Promise<Profile> {
    const { user_id: userId } = parseInput(profileInput, raw);
    const user = await this.#deps.User.query().select(PROFILE_COLUMNS).findById(userId);
    if (!user) throw objectNotFound();
    return this.#seenBy(user, viewerId);
  }

  /** The same, found by username as login finds it: in any case or width. */
  async profileByUsername(
    raw: UsernameLookupInput | RawParams,
    viewerId?: number,
  ): Promise<Profile> {
    const { username } = parseInput(usernameLookupInput, raw);
    const user = await this.#deps.User.query()
      .select(PROFILE_COLUMNS)
      .findOne('username_key', usernameKey(username));
    if (!user) throw objectNotFound();
    return this.#seenBy(user, viewerId);
  }

  /**
   * Changes the given fields of `userId`'s profile and answers the new one. A changed email is
   * verified first, as at sign-up; nothing is saved when it is refused (USR_03) or the
   * verifier cannot decide (EXT_01).
   *
   * @example await plaza.users.update(userId, { city: 'Paris', bio: '' }) // bio cleared
   */
  async update(userId: number, raw: UpdateProfileInput | RawParams): Promise<Profile> {
    const input = parseInput(updateProfileInput, raw);
    const changes: Record<string, unknown> = {};
    for (const field of PROFILE_FIELDS) {
      if (input[field] !== undefined) changes[field] = input[field];
    }
    if (input.email === null) throw malformedParam('email', EMAIL_REQUIRED_MESSAGE);
    if (input.email === undefined && Object.keys(changes).length === 0) {
      throw new PlazaError('USR_02', NOTHING_TO_UPDATE_MESSAGE);
    }
    const { User, verifier, logger } = this.#deps;
    if (input.email !== undefined) {
      const current = await User.query().select('email').findById(userId);
      if (!current) throw invalidToken();
      if (current.email !== input.email) {
        const verdict = await verifier.verify(input.email);
        if (!verdict.deliverable) throw emailDoesNotVerify();
        changes['email'] = input.email;
        changes['email_verdict'] = verdict.status;
      }
    }
    const updatedAt = new Date().toISOString();
    const [row] = await this.#deps.writes.write(
      (db) =>
        db('users')
          .where('id', userId)
          .update({ ...changes, updated_at: updatedAt })
          .returning([...PROFILE_COLUMNS]) as unknown as Promise<ProfileSource[]>,
    );
    // The token was valid but its user is gone.
    if (row === undefined) throw invalidToken();
    logger.info({ user_id: userId, fields: Object.keys(changes) }, 'profile updated');
    return toProfile(row, true, false);
  }

  follow(followerId: number, raw: FollowInput | RawParams): Promise<void> {
    return this.#deps.follows.follow(followerId, raw);
  }

  unfollow(followerId: number, raw: FollowInput | RawParams): Promise<void> {
    return this.#deps.follows.unfollow(followerId, raw);
  }

  followers(raw: FollowListInput | RawParams, viewerId?: number): Promise<ProfilePage> {
    return this.#deps.follows.followers(raw, viewerId);
  }

  following(raw: FollowListInput | RawParams, viewerId?: number): Promise<ProfilePage> {
    return this.#deps.follows.following(raw, viewerId);
  }

  /** `following` for a signed-in viewer: one query, none on their own profile. */
  async #seenBy(user: ProfileSource, viewerId: number | undefined): Promise<Profile> {
    if (viewerId === undefined) return toProfile(user, false);
    if (viewerId === user.id) return toProfile(user, true, false);
    const followed = await followedAmong(this.#deps.User.knex(), viewerId, [user.id]);
    return toProfile(user, false, followed.has(user.id));
  }
}
