import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { invalidToken } from '../errors.js';

export interface IssuedToken {
  readonly token: string;
  readonly userId: number;
  readonly expiresAt: string;
}

const USER_ID = /^[1-9][0-9]{0,15}$/;

/**
 * Signs and verifies HS256 JWTs. The algorithm is pinned on verification, so `alg: none`
 * and tokens signed with another algorithm or key are refused, and `exp` is required.
 *
 * @example const { token } = issuer.issue(42)
 */
export class TokenIssuer {
  // A KeyObject made once: given a string or Buffer, jsonwebtoken makes one per call.
  readonly #secret: KeyObject;
  readonly #ttlSeconds: number;

  constructor(secret: string, ttlSeconds: number) {
    this.#secret = createSecretKey(Buffer.from(secret, 'utf8'));
    this.#ttlSeconds = ttlSeconds;
  }

  issue(userId: number): IssuedToken {
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + this.#ttlSeconds;
    const token = jwt.sign({ iat: issuedAt, exp: expiresAt }, this.#secret, {
      algorithm: 'HS256',
      subject: String(userId),
    });
    return { token, userId, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  /** The user id a valid token stands for; AUT_01 for anything else. */
  verify(token: unknown): number {
    if (typeof token !== 'string' || token === '' || token.length > 4096) throw invalidToken();
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.#secret, { algorithms: ['HS256'] });
    } catch (error) {
      throw invalidToken(error);
    }
    if (typeof payload !== 'object' || typeof payload.exp !== 'number') throw invalidToken();
    if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub)) throw invalidToken();
    return Number(payload.sub);
  }
}
