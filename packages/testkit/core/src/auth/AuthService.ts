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
import type { IssuedToken, TokenIssuer } from './TokenIssuer.js';
import { DEFAULT_TOKEN_VERSION_SETTINGS, TokenVersions } from './TokenVersions.js';
import type { LoginContext, VerifiedToken } from './Auth.js';

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
  /** Where revocations are announced (`auth.tokens_revoked`); without one they are not. */
  readonly events?: EventBus;
}

/** Logins, tokens, and password changes. */
export class AuthService {
  readonly #deps: AuthServiceDependencies;
  readonly #versions: TokenVersions;

  constructor(deps: AuthServiceDependencies) {
    this.#deps = deps;
    this.#versions =
      deps.versions ?? new TokenVersions(deps.User.knex(), DEFAULT_TOKEN_VERSION_SETTINGS);
  }

  /**
   * Exchanges a username and password for a token. An unknown user and a wrong password
   * get the same AUT_02 after the same amount of hashing, and both count as failures: once
   * the username from this client (or the client) has too many, every attempt from there
   * gets AUT_03 until the lockout ends, the right password included, without any hashing;
   * see `LoginThrottle`. Password checks past the account's or the client's rate get RAT_01.
   *
   * @example const { token } = await plaza.auth.login({ username: 'ada', password }, { clientIp })
   */
  async login(raw: LoginInput | RawParams, context: LoginContext = {}): Promise<IssuedToken> {
    const { username, password } = parseInput(loginInput, raw);
    const { User, policy, hasher, tokens, throttle, logger } = this.#deps;
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
    return tokens.issue(user.id, user.token_version);
  }

  /**
   * The user a token stands for and the token version it carries. AUT_01 when the token is
   * missing, malformed, expired or forged, when its user no longer exists, or when it was
   * issued before the user's latest password change or logout everywhere.
   *
   * @example const { userId, tokenVersion } = await plaza.auth.authenticate(token)
   */
  async authenticate(token: unknown): Promise<VerifiedToken> {
    const claims = this.#deps.tokens.verify(token);
    let current = await this.#versions.current(claims.userId);
    // Newer than the version held here: raised by another process since it was read.
    if (current !== undefined && claims.version > current) {
      current = await this.#versions.reload(claims.userId);
    }
    if (current !== claims.version) throw invalidToken();
    return { userId: claims.userId, tokenVersion: claims.version };
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
    return { token, user_id: await this.verifyToken(token) };
  }

  /**
   * Replaces the user's password and invalidates every token issued before, on every device;
   * returns a fresh token so the caller stays signed in. A wrong old password gets the login's
   * AUT_02, a weak new one USR_04 on `new_password`, and then nothing changes. Of two changes
   * at once the first saved wins; the other gets AUT_02, its old password being no longer the
   * password.
   *
   * @example const { token } = await plaza.auth.changePassword(userId, { old_password, new_password })
   */
  async changePassword(userId: number, raw: ChangePasswordInput | RawParams): Promise<IssuedToken> {
    const input = parseInput(changePasswordInput, raw);
    const { policy, hasher, tokens, logger } = this.#deps;
    // No stored password is this long, so it cannot match; refused before any hashing.
    if (policy.isTooLong(input.old_password)) throw wrongCredentials();
    let user = await this.#passwordOf(userId);
    const strength = policy.check(input.new_password, [user.username, user.email]);
    if (!strength.acceptable) throw passwordTooWeak('new_password', strength.hint);
    if (!(await hasher.verify(user.password_hash, input.old_password))) throw wrongCredentials();
    const passwordHash = await hasher.hash(input.new_password);

    let version = await this.#replacePassword(user, passwordHash);
    if (version === undefined) {
      // The stored hash changed since it was verified: another change (then the old password
      // no longer verifies) or a login re-hashing it at a new cost (then it still does).
      user = await this.#passwordOf(userId);
      if (!(await hasher.verify(user.password_hash, input.old_password))) throw wrongCredentials();
      version = await this.#replacePassword(user, passwordHash);
      if (version === undefined) throw overloaded();
    }
    logger.info({ user_id: userId, token_version: version }, 'password changed');
    await this.#announceRevocation(userId, version);
    return tokens.issue(userId, version);
  }

  /**
   * Invalidates every token of the user issued so far, the caller's own included; live
   * sessions opened with one are told to end (`auth.tokens_revoked`).
   *
   * @example await plaza.auth.logoutAll(userId)
   */
  async logoutAll(userId: number): Promise<void> {
    const db = this.#deps.User.knex();
    const rows = (await db('users')
      .where('id', userId)
      .update({ token_version: db.raw('token_version + 1') })
      .returning('token_version')) as unknown[];
    const version = versionIn(rows);
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
   * hash is still the one verified; the new version, or undefined when it was not.
   */
  async #replacePassword(
    user: Pick<User, 'id' | 'password_hash'>,
    passwordHash: string,
  ): Promise<number | undefined> {
    const db = this.#deps.User.knex();
    const rows = (await db('users')
      .where({ id: user.id, password_hash: user.password_hash })
      .update({
        password_hash: passwordHash,
        token_version: db.raw('token_version + 1'),
        updated_at: new Date().toISOString(),
      })
      .returning('token_version')) as unknown[];
    return versionIn(rows);
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
