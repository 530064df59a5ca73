import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { invalidToken } from '../errors.js';
import { MAX_ID } from '../shared/values.js';

export interface IssuedToken {
  readonly token: string;
  readonly userId: number;
  readonly expiresAt: string;
}

/**
 * A signed-in session's tokens: the short-lived access token, and the refresh token that gets
 * the next one (`POST /api-token-refresh/`). The refresh token is shown once, never stored.
 */
export interface IssuedSession extends IssuedToken {
  readonly refreshToken: string;
  /** The session the access token belongs to (its `sid` claim). */
  readonly sessionId: number;
}

/** What a validly signed, unexpired token says (whether its version is current, it cannot tell). */
export interface TokenClaims {
  readonly userId: number;
  /** The user's token version when it was issued (`ver`); 0 for tokens issued without one. */
  readonly version: number;
  /** The session it was issued for (`sid`); undefined for tokens issued before sessions. */
  readonly sessionId?: number;
}

const USER_ID = /^[1-9][0-9]{0,15}$/;

/**
 * How far ahead of this server's clock a token's `iat` may be: another instance's clock may
 * run a little ahead. Plaza signs `exp` as `iat` plus the lifetime, so that needs no slack.
 */
const CLOCK_SKEW_SECONDS = 5;

/**
 * Signs and verifies HS256 JWTs. The algorithm is pinned on verification, so `alg: none`
 * and tokens signed with another algorithm or key are refused. `exp` and `iat` are required,
 * `exp - iat` may not exceed the configured lifetime and `iat` may not lie in the future: a
 * token signed with the secret (a leaked one, or Plaza's own) cannot claim to live longer
 * than the tokens Plaza issues. Plaza has always put `iat` in its tokens.
 *
 * @example const { token } = issuer.issue(42, user.token_version)
 */
export class TokenIssuer {
  // A KeyObject made once: given a string or Buffer, jsonwebtoken makes one per call.
  readonly #secret: KeyObject;
  readonly #ttlSeconds: number;

  constructor(secret: string, ttlSeconds: number) {
    this.#secret = createSecretKey(Buffer.from(secret, 'utf8'));
    this.#ttlSeconds = ttlSeconds;
  }

  /**
   * A token for `userId`, valid while the user's token version is still `version` and, with a
   * `sessionId` (the `sid` claim), while that session is live.
   */
  issue(userId: number, version: number, sessionId?: number): IssuedToken {
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + this.#ttlSeconds;
    const claims = { iat: issuedAt, exp: expiresAt, ver: version };
    const payload = sessionId === undefined ? claims : { ...claims, sid: sessionId };
    const token = jwt.sign(payload, this.#secret, {
      algorithm: 'HS256',
      subject: String(userId),
    });
    return { token, userId, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  /** What a validly signed, unexpired token says; AUT_01 for anything else. */
  verify(token: unknown): TokenClaims {
    if (typeof token !== 'string' || token === '' || token.length > 4096) throw invalidToken();
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.#secret, { algorithms: ['HS256'] });
    } catch (error) {
      throw invalidToken(error);
    }
    if (typeof payload !== 'object' || typeof payload.exp !== 'number') throw invalidToken();
    const { iat, exp } = payload;
    if (typeof iat !== 'number' || exp - iat > this.#ttlSeconds) throw invalidToken();
    if (iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) throw invalidToken();
    if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub)) throw invalidToken();
    // Tokens issued before versions existed have none: they count as version 0.
    const version: unknown = 'ver' in payload ? payload['ver'] : 0;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
      throw invalidToken();
    }
    const userId = Number(payload.sub);
    // No row has a larger id; PostgreSQL would refuse to compare one with an id column.
    if (userId > MAX_ID) throw invalidToken();
    if (!('sid' in payload)) return { userId, version };
    const sessionId: unknown = payload['sid'];
    if (
      typeof sessionId !== 'number' ||
      !Number.isSafeInteger(sessionId) ||
      sessionId < 1 ||
      sessionId > MAX_ID
    ) {
      throw invalidToken();
    }
    return { userId, version, sessionId };
  }
}
