import type { RawParams } from '../shared/input.js';
import type { ChangePasswordInput, LoginInput, VerifyTokenInput } from './authInputs.js';
import type { IssuedToken } from './TokenIssuer.js';

/** A token that passed every check, and the token version it carries. */
export interface VerifiedToken {
  readonly userId: number;
  readonly tokenVersion: number;
}

/** Where a login comes from, as far as the host knows. */
export interface LoginContext {
  /**
   * The client's IP address, for the per-client limits and for locking a username from this
   * client only. Without it the username's failures lock it for every caller without one.
   */
  readonly clientIp?: string;
}

/**
 * Logins, tokens and password changes: `plaza.auth`.
 *
 * @example const { token } = await plaza.auth.login({ username, password }, { clientIp })
 */
export interface Auth {
  /** A token for a username and password; AUT_02 when they do not match, AUT_03 while locked. */
  login(input: LoginInput | RawParams, context?: LoginContext): Promise<IssuedToken>;
  /**
   * The user a token stands for and the token version it carries. AUT_01 when the token is
   * missing, malformed, expired, forged, of a deleted user, or older than the user's latest
   * password change or logout everywhere.
   */
  authenticate(token: unknown): Promise<VerifiedToken>;
  /** The user id a token stands for; AUT_01 as `authenticate` says. */
  verifyToken(token: unknown): Promise<number>;
  /** `POST /api-token-verify/`: the token's user, or AUT_01. */
  checkToken(
    input: VerifyTokenInput | RawParams,
  ): Promise<{ readonly token: string; readonly user_id: number }>;
  /** Replaces the password, invalidates every earlier token, and returns a fresh one. */
  changePassword(userId: number, input: ChangePasswordInput | RawParams): Promise<IssuedToken>;
  /** Invalidates every token of the user issued so far (`auth.tokens_revoked`). */
  logoutAll(userId: number): Promise<void>;
}
