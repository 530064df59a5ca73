import type { RawParams } from '../shared/input.js';
import type { RefreshInput } from '../sessions/sessionInputs.js';
import type { SessionContext, SessionList } from '../sessions/Sessions.js';
import type { ChangePasswordInput, LoginInput, VerifyTokenInput } from './authInputs.js';
import type { IssuedSession } from './TokenIssuer.js';

/** A token that passed every check, and the token version it carries. */
export interface VerifiedToken {
  readonly userId: number;
  readonly tokenVersion: number;
  /** The session it belongs to; absent for tokens issued before sessions existed. */
  readonly sessionId?: number;
}

/** Where a login comes from, as far as the host knows. */
export interface LoginContext extends SessionContext {
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
  /**
   * A new session for a username and password: an access token and a refresh token; AUT_02
   * when they do not match, AUT_03 while locked.
   */
  login(input: LoginInput | RawParams, context?: LoginContext): Promise<IssuedSession>;
  /**
   * The next access token and refresh token for a refresh token, which is used up (rotation).
   * AUT_01 for one unknown, expired, of an ended session, or used before (which also ends its
   * session: `auth.session_ended`).
   */
  refresh(input: RefreshInput | RawParams): Promise<IssuedSession>;
  /** The user's live sessions, newest first; `current` marks `currentSessionId`. */
  sessions(userId: number, currentSessionId?: number): Promise<SessionList>;
  /**
   * Ends one session of the user: its refresh token and access tokens stop working at once
   * (`auth.session_ended`). Without a session id (a token from before sessions) it does nothing.
   */
  logout(userId: number, sessionId?: number): Promise<void>;
  /**
   * The user a token stands for and the token version it carries. AUT_01 when the token is
   * missing, malformed, expired, forged, of a deleted user, older than the user's latest
   * password change or logout everywhere, or of a session that ended. A success counts as a
   * request of the user (`plaza.activity`'s `last_request`), as does `verifyToken`'s.
   */
  authenticate(token: unknown): Promise<VerifiedToken>;
  /** The user id a token stands for; AUT_01 as `authenticate` says. */
  verifyToken(token: unknown): Promise<number>;
  /** `POST /api-token-verify/`: the token's user, or AUT_01; not a request of that user. */
  checkToken(
    input: VerifyTokenInput | RawParams,
  ): Promise<{ readonly token: string; readonly user_id: number }>;
  /**
   * Replaces the password, invalidates every earlier token, ends every session, and returns a
   * new session for the caller.
   */
  changePassword(
    userId: number,
    input: ChangePasswordInput | RawParams,
    context?: SessionContext,
  ): Promise<IssuedSession>;
  /** Invalidates every token of the user issued so far and ends every session (`auth.tokens_revoked`). */
  logoutAll(userId: number): Promise<void>;
}
