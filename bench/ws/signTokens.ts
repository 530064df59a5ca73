import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';

/**
 * One token per user, as Plaza issues them (HS256, `sub` = the user id, an `exp`), signed
 * here with the server's secret: signing up thousands of users to get them would take minutes.
 *
 * @example const tokens = signTokens(jwtSecret, [1, 2, 3])
 */
export function signTokens(jwtSecret: string, userIds: readonly number[]): string[] {
  const key = createSecretKey(Buffer.from(jwtSecret, 'utf8'));
  return userIds.map((userId) =>
    jwt.sign({}, key, { algorithm: 'HS256', subject: String(userId), expiresIn: '1h' }),
  );
}
