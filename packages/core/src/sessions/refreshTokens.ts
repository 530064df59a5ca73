import { createHash, randomBytes } from 'node:crypto';

/** 256 bits: far past guessing, whatever the rate of tries. */
const REFRESH_TOKEN_BYTES = 32;

/** A new refresh token: random, opaque, base64url (43 characters). */
export function newRefreshToken(): string {
  return randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
}

/**
 * What the database keeps of a refresh token: its SHA-256, in hex. The token is random and
 * long, so a plain hash (no salt, no stretching) is enough: a copy of the table gives no token.
 */
export function refreshTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
