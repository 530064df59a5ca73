import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { ConfigError, MIN_JWT_SECRET_BYTES_MESSAGE } from '../errors.js';
import { MIN_JWT_SECRET_BYTES } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * Where the generated secret of a database file lives: beside it, named after it
 * (`data/plaza.sqlite` → `data/plaza.jwt-secret`), so two databases never share a key.
 */
export const jwtSecretPathFor = (databaseFile: string): string =>
  join(dirname(databaseFile), `${basename(databaseFile, extname(databaseFile))}.jwt-secret`);

/** Refuses a secret that a brute-force search could find. */
export function assertStrongSecret(secret: string): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_JWT_SECRET_BYTES) {
    throw new ConfigError(MIN_JWT_SECRET_BYTES_MESSAGE);
  }
}

/**
 * The configured secret, or one generated at the first start and kept beside the database
 * file (mode 0600) so tokens survive restarts. With no file (an in-memory database) the
 * secret lives as long as the process.
 */
export function resolveJwtSecret(
  configured: string | undefined,
  databaseFile: string | undefined,
  logger: Logger,
): string {
  if (configured !== undefined) {
    assertStrongSecret(configured);
    return configured;
  }
  if (databaseFile === undefined) {
    logger.warn(
      {},
      'JWT_SECRET is not set and the database is in memory: tokens last until the process stops',
    );
    return randomBytes(48).toString('base64url');
  }
  const path = jwtSecretPathFor(databaseFile);
  try {
    writeFileSync(path, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
    logger.info({ path }, 'generated a JWT secret and kept it in the data folder');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((statSync(path).mode & 0o077) !== 0) {
    logger.warn({ path }, 'the JWT secret file can be read by other users; chmod 600 it');
  }
  const secret = readFileSync(path, 'utf8').trim();
  assertStrongSecret(secret);
  return secret;
}
