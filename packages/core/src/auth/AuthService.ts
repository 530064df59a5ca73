import type { ModelClass } from 'objection';
import type { EventBus } from '../events/EventBus.js';
import { invalidToken, overloaded, passwordTooWeak, wrongCredentials } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseInput, type RawParams } from '../shared/input.js';
import type { PasswordPolicy } from '../users/PasswordPolicy.js';
import { usernameKey, type User } from '../users/User.js';
import {
  changePasswordInput,
  loginInput,
  verifyTokenInput,
  type ChangePasswordInput,
  type LoginInput,
  type VerifyTokenInput,
} from './authInputs.js';
import type { LoginThrottle } from './LoginThrottle.js';
import type { PasswordHasher } from './PasswordHasher.js';
import type { IssuedSession, TokenIssuer } from './TokenIssuer.js';
import { DEFAULT_TOKEN_VERSION_SETTINGS, TokenVersions } from './TokenVersions.js';
import type { LoginContext, VerifiedToken } from './Auth.js';
import { DEFAULT_REFRESH_TOKEN_TTL_SECONDS } from '../config.js';
import { SessionStates } from '../sessions/SessionStates.js';
import { SessionStore, type StartedSession } from '../sessions/SessionStore.js';
import type { SessionContext, SessionList } from '../sessions/Sessions.js';
import { refreshInput, type RefreshInput } from '../sessions/sessionInputs.js';
import type { LastRequests } from '../activity/LastRequests.js';

export type { LoginContext, VerifiedToken } from './Auth.js';

export interface AuthServiceDependencies {
  readonly User: ModelClass<User>;
  readonly policy: PasswordPolicy;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenIssuer;
  readonly throttle: LoginThrottle;
  readonly logger: Logger;
  /** Each user's current token version; default: read through `User`, cached 1 s. */
  readonly versions?: TokenVersions;
  /**
   * Where revocations are announced (`auth.tokens_revoked`, `auth.session_ended`); without
   * one they are not.
   */
  readonly events?: EventBus;
  /** Sessions and refresh tokens; default: in `User`'s database, 30-day refresh lifetime. */
  readonly sessions?: SessionStore;
  /** Whether each session is live; default: read through `User`, cached 1 s. */
  readonly sessionStates?: SessionStates;
  /** Told of each authenticated request (`authenticate`, `verifyToken`); default: nobody. */
  readonly lastRequests?: LastRequests;
}

/** Logins, tokens, and password changes. */
export class AuthService {
  readonly #deps: AuthServiceDependencies;
  readonly #versions: TokenVersions;
  readonly #sessions: SessionStore;
  readonly #sessionStates: SessionStates;

  constructor(deps: AuthServiceDependencies) {
    this.#deps = deps;
    const db = deps.User.knex();
    this.#versions = deps.versions ?? new TokenVersions(db, DEFAULT_TOKEN_VERSION_SETTINGS);
    this.#sessions = deps.sessions ?? new SessionStore(db, DEFAULT_REFRESH_TOKEN_TTL_SECONDS);
    this.#sessionStates =
      deps.sessionStates ?? new SessionStates(db, DEFAULT_TOKEN_VERSION_SETTINGS);
  }

  /**
   * Exchanges a username and password for a token. An unknown user and a wrong password
   * get the same AUT_02 after the same amount of hashing, and both count as failures: once
   * the username from this client (or the client) has too many, every attempt from there
   * gets AUT_03 until the lockout ends, the right password included, without any hashing;
   * see `LoginThrottle`. Password checks past the account's or the client's rate get RAT_01.
   * Each login starts a session (`context.device` labels it) with its own refresh token.
   *
   * @example const { token, refreshToken } = await plaza.auth.login({ username: 'ada', password }, { clientIp })
   */
  async login(raw: LoginInput | RawParams, context: LoginContext = {}): Promise<IssuedSession> {
    const { username, password } = parseInput(loginInput, raw);
    const { User, policy, hasher, throttle, logger } = this.#deps;
    const admitted = await throttle.admit(username, context.clientIp);
    const refuse = async (): Promise<never> => {
      await throttle.failed(admitted);
      throw wrongCredentials();
    };
    // No stored password is this long, so it cannot match; refuse it before any hashing.
    if (policy.isTooLong(password)) return refuse();

    let user: Pick<User, 'id' | 'password_hash' | 'token_version'> | undefined;
    let matches: boolean;
    try {
      user = await User.query()
        .select('id', 'password_hash', 'token_version')
        .findOne({ username_key: usernameKey(username) });
      matches =
        user === undefined
          ? await hasher.verifyAgainstDummy(password, admitted)
          : await hasher.verify(user.password_hash, password, admitted);
    } catch (error) {
      // Not checked (overloaded, say): not a failure of whoever sent it.
      await throttle.abandoned(admitted);
      throw error;
    }
    if (user === undefined || !matches) return refuse();
    await throttle.succeeded(admitted);

    if (hasher.needsRehash(user.password_hash)) {
      const passwordHash = await hasher.hash(password, admitted);
      // Only over the hash just verified: a password changed meanwhile must stay changed.
      await User.query()
        .findById(user.id)
        .where('password_hash', user.password_hash)
        .patch({ password_hash: passwordHash, updated_at: new Date().toISOString() });
      logger.info({ user_id: user.id }, 'password re-hashed at the configured cost');
    }
    const session = await User.knex().transaction((trx) =>
      this.#sessions.start(trx, user.id, context.device),
    );
    return this.#issueFor(user.id, user.token_version, session);
  }

  /**
   * `POST /api-token-refresh/`: a refresh token for the next access token and the next
   * refresh token (rotation: the one given is used up). AUT_01 for a token that is unknown,
   * of an ended or expired session, or used before; in that last case the whole session is
   * revoked, its access tokens included (`auth.session_ended`): a used refresh token coming
   * back means two parties hold it. Of two refreshes with one token at the same moment, one
   * gets the next tokens, the other AUT_01, and the session ends.
   *
   * @example const { token, refreshToken } = await plaza.auth.refresh({ refresh_token })
   */
  async refresh(raw: RefreshInput | RawParams): Promise<IssuedSession> {
    const { refresh_token: refreshToken } = parseInput(refreshInput, raw);
    const rotation = await this.#sessions.rotate(refreshToken);
    if (rotation.kind === 'refused') throw invalidToken();
    if (rotation.kind === 'reused') {
      this.#deps.logger.warn(
        { user_id: rotation.userId, session_id: rotation.sessionId },
        'a used refresh token came back: its session is revoked',
      );
      await this.#announceSessionEnd(rotation.userId, rotation.sessionId);
      throw invalidToken();
    }
    return this.#issueFor(rotation.userId, rotation.tokenVersion, rotation);
  }

  /**
   * The user's live sessions, newest first (at most 100); `current` marks `currentSessionId`.
   *
   * @example const { sessions } = await plaza.auth.sessions(userId, sessionId)
   */
  async sessions(userId: number, currentSessionId?: number): Promise<SessionList> {
    return { sessions: await this.#sessions.list(userId, currentSessionId) };
  }

  /**
   * Ends one session: its refresh token and its access tokens stop working, here at once and
   * in other processes as the event bus tells them (`auth.session_ended`), and its live
   * sockets close. Without a session (a token issued before sessions existed) there is
   * nothing to end, and nothing happens; `logoutAll` ends such tokens.
   *
   * @example await plaza.auth.logout(userId, sessionId)
   */
  async logout(userId: number, sessionId?: number): Promise<void> {
    if (sessionId === undefined) return;
    if (!(await this.#sessions.end(userId, sessionId))) return;
    this.#deps.logger.info({ user_id: userId, session_id: sessionId }, 'logged out');
    await this.#announceSessionEnd(userId, sessionId);
  }

  /**
   * The user a token stands for and the token version it carries. AUT_01 when the token is
   * missing, malformed, expired or forged, when its user no longer exists, or when it was
   * issued before the user's latest password change or logout everywhere.
   *
   * @example const { userId, tokenVersion } = await plaza.auth.authenticate(token)
   */
  async authenticate(token: unknown): Promise<VerifiedToken> {
    const verified = await this.#verify(token);
    // In memory: written at most once a minute per person (LastRequests).
    this.#deps.lastRequests?.note(verified.userId);
    return verified;
  }

  /** What `authenticate` checks, without counting it as a request of the token's user. */
  async #verify(token: unknown): Promise<VerifiedToken> {
    const claims = this.#deps.tokens.verify(token);
    let current = await this.#versions.current(claims.userId);
    // Newer than the version held here: raised by another process since it was read.
    if (current !== undefined && claims.version > current) {
      current = await this.#versions.reload(claims.userId);
    }
    if (current !== claims.version) throw invalidToken();
    const { userId, sessionId } = claims;
    // Tokens issued before sessions existed carry none: they stay valid until they expire.
    if (sessionId === undefined) return { userId, tokenVersion: claims.version };
    if (!(await this.#sessionStates.isLive(sessionId, userId))) throw invalidToken();
    return { userId, tokenVersion: claims.version, sessionId };
  }

  /** The user id a token stands for; AUT_01 as `authenticate` says. */
  async verifyToken(token: unknown): Promise<number> {
    return (await this.authenticate(token)).userId;
  }

  /** `POST /api-token-verify/`: the token's user, or AUT_01. */
  async checkToken(
    raw: VerifyTokenInput | RawParams,
  ): Promise<{ readonly token: string; readonly user_id: number }> {
    const { token } = parseInput(verifyTokenInput, raw);
    // Looking a token up is not a request of its user: their last request stays.
    return { token, user_id: (await this.#verify(token)).userId };
  }

  /**
   * Replaces the user's password and invalidates every token issued before, on every device,
   * and ends every session; returns a new session (access and refresh token) so the caller
   * stays signed in. A wrong old password gets the login's
   * AUT_02, a weak new one USR_04 on `new_password`, and then nothing changes. Of two changes
   * at once the first saved wins; the other gets AUT_02, its old password being no longer the
   * password.
   *
   * @example const { token } = await plaza.auth.changePassword(userId, { old_password, new_password })
   */
  async changePassword(
    userId: number,
    raw: ChangePasswordInput | RawParams,
    context: SessionContext = {},
  ): Promise<IssuedSession> {
    const input = parseInput(changePasswordInput, raw);
    const { policy, hasher, logger } = this.#deps;
    // No stored password is this long, so it cannot match; refused before any hashing.
    if (policy.isTooLong(input.old_password)) throw wrongCredentials();
    let user = await this.#passwordOf(userId);
    const strength = policy.check(input.new_password, [user.username, user.email]);
    if (!strength.acceptable) throw passwordTooWeak('new_password', strength.hint);
    if (!(await hasher.verify(user.password_hash, input.old_password))) throw wrongCredentials();
    const passwordHash = await hasher.hash(input.new_password);

    let replaced = await this.#replacePassword(user, passwordHash, context);
    if (replaced === undefined) {
      // The stored hash changed since it was verified: another change (then the old password
      // no longer verifies) or a login re-hashing it at a new cost (then it still does).
      user = await this.#passwordOf(userId);
      if (!(await hasher.verify(user.password_hash, input.old_password))) throw wrongCredentials();
      replaced = await this.#replacePassword(user, passwordHash, context);
      if (replaced === undefined) throw overloaded();
    }
    const { version, session } = replaced;
    logger.info({ user_id: userId, token_version: version }, 'password changed');
    await this.#announceRevocation(userId, version);
    return this.#issueFor(userId, version, session);
  }

  /**
   * Invalidates every token of the user issued so far, the caller's own included; live
   * sessions opened with one are told to end (`auth.tokens_revoked`).
   *
   * @example await plaza.auth.logoutAll(userId)
   */
  async logoutAll(userId: number): Promise<void> {
    const db = this.#deps.User.knex();
    // One transaction: a refresh must not hand out a token of the new version afterwards.
    const version = await db.transaction(async (trx) => {
      const rows = (await trx('users')
        .where('id', userId)
        .update({ token_version: trx.raw('token_version + 1') })
        .returning('token_version')) as unknown[];
      const raised = versionIn(rows);
      if (raised !== undefined) await this.#sessions.endAll(trx, userId);
      return raised;
    });
    // Deleted since the token was checked.
    if (version === undefined) throw invalidToken();
    this.#deps.logger.info({ user_id: userId, token_version: version }, 'logged out everywhere');
    await this.#announceRevocation(userId, version);
  }

  async #passwordOf(
    userId: number,
  ): Promise<Pick<User, 'id' | 'username' | 'email' | 'password_hash'>> {
    const user = await this.#deps.User.query()
      .select('id', 'username', 'email', 'password_hash')
      .findById(userId);
    // Deleted since the token was checked: the token stands for nobody.
    if (!user) throw invalidToken();
    return user;
  }

  /**
   * Saves the new hash and raises the token version in one statement, provided the stored
   * hash is still the one verified, and in the same transaction ends every session and starts
   * the caller's next one; the new version and session, or undefined when the hash changed.
   */
  async #replacePassword(
    user: Pick<User, 'id' | 'password_hash'>,
    passwordHash: string,
    context: SessionContext,
  ): Promise<{ version: number; session: StartedSession } | undefined> {
    return this.#deps.User.knex().transaction(async (trx) => {
      const rows = (await trx('users')
        .where({ id: user.id, password_hash: user.password_hash })
        .update({
          password_hash: passwordHash,
          token_version: trx.raw('token_version + 1'),
          updated_at: new Date().toISOString(),
        })
        .returning('token_version')) as unknown[];
      const version = versionIn(rows);
      if (version === undefined) return undefined;
      await this.#sessions.endAll(trx, user.id);
      const session = await this.#sessions.start(trx, user.id, context.device);
      return { version, session };
    });
  }

  /** The access token of a session just started or refreshed, which this process knows live. */
  #issueFor(userId: number, version: number, session: StartedSession): IssuedSession {
    this.#sessionStates.learnLive(session.sessionId, userId, session.expiresAt);
    const issued = this.#deps.tokens.issue(userId, version, session.sessionId);
    return { ...issued, refreshToken: session.refreshToken, sessionId: session.sessionId };
  }

  /**
   * This process refuses the session's tokens from now on; listeners (the WebSocket endpoint,
   * other processes on a shared bus) hear of it. Logged rather than failing when the bus fails.
   */
  async #announceSessionEnd(userId: number, sessionId: number): Promise<void> {
    this.#sessionStates.learnEnded(sessionId);
    try {
      await this.#deps.events?.publish('auth.session_ended', {
        user_id: userId,
        session_id: sessionId,
      });
    } catch (error) {
      this.#deps.logger.error(
        { err: error, user_id: userId, session_id: sessionId },
        'announcing an ended session failed',
      );
    }
  }

  /**
   * This process refuses the old tokens from now on; listeners (the WebSocket endpoint, and
   * other processes on a shared bus) hear of it. The change is saved by then, so a bus that
   * fails is logged rather than failing the request.
   */
  async #announceRevocation(userId: number, version: number): Promise<void> {
    this.#versions.learn(userId, version);
    try {
      await this.#deps.events?.publish('auth.tokens_revoked', {
        user_id: userId,
        token_version: version,
      });
    } catch (error) {
      this.#deps.logger.error({ err: error, user_id: userId }, 'announcing revoked tokens failed');
    }
  }
}

/** The `token_version` an `UPDATE … RETURNING` gave back, if a row was updated. */
function versionIn(rows: readonly unknown[]): number | undefined {
  const row = rows[0] as { token_version?: number | string } | undefined;
  return row?.token_version === undefined ? undefined : Number(row.token_version);
}
