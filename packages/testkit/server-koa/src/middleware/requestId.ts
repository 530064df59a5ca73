import { randomUUID } from 'node:crypto';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A request's id: the one it was given when that is a plain token (letters, digits, `._-`,
 * at most 64), else a new UUID. Anything else could forge log lines or headers.
 *
 * @example requestIdFor(ctx.get('x-request-id'))
 */
export function requestIdFor(given?: string): string {
  return given !== undefined && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}
