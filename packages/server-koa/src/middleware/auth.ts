import type { Context, Middleware } from 'koa';
import { isPlazaError, type Plaza } from '@plaza/core';
import { invalidToken } from '@plaza/core/host';

const AUTHORIZATION = /^(?:JWT|Bearer)\s+(\S+)\s*$/i;

/** The token of an `Authorization: JWT <token>` or `Authorization: Bearer <token>` header. */
export function tokenFromHeader(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const match = AUTHORIZATION.exec(header);
  if (!match?.[1]) throw invalidToken();
  return match[1];
}

/** The authenticated user's id; set by `requireUser` or `optionalUser`. */
export const userIdOf = (ctx: Context): number | undefined =>
  ctx.state['userId'] as number | undefined;

/** The session of the request's token; undefined for tokens issued before sessions existed. */
export const sessionIdOf = (ctx: Context): number | undefined =>
  ctx.state['sessionId'] as number | undefined;

async function authenticateInto(ctx: Context, plaza: Plaza, token: string): Promise<void> {
  const verified = await plaza.auth.authenticate(token);
  ctx.state['userId'] = verified.userId;
  ctx.state['sessionId'] = verified.sessionId;
}

/**
 * Lets the request through only with a valid token (AUT_01 otherwise): signed, unexpired, of
 * a user who exists, and not revoked by a password change or a logout everywhere.
 */
export function requireUser(plaza: Plaza): Middleware {
  return async function authenticate(ctx, next) {
    const token = tokenFromHeader(ctx.get('authorization'));
    if (token === undefined) throw invalidToken();
    await authenticateInto(ctx, plaza, token);
    await next();
  };
}

/** Authenticates when a token is sent; a bad token is still AUT_01, not "anonymous". */
export function optionalUser(plaza: Plaza): Middleware {
  return async function authenticateIfAsked(ctx, next) {
    const token = tokenFromHeader(ctx.get('authorization'));
    if (token !== undefined) await authenticateInto(ctx, plaza, token);
    await next();
  };
}

/**
 * Notes who is reading when a valid token is sent; a missing, malformed, expired or revoked
 * token is read as an anonymous reader, as the kept read routes always answered. Other
 * failures (the database busy) are not swallowed.
 */
export function viewingUser(plaza: Plaza): Middleware {
  return async function identifyViewer(ctx, next) {
    try {
      const token = tokenFromHeader(ctx.get('authorization'));
      if (token !== undefined) await authenticateInto(ctx, plaza, token);
    } catch (error) {
      if (!isPlazaError(error) || error.code !== 'AUT_01') throw error;
    }
    await next();
  };
}

/** The id `requireUser` established; AUT_01 if a route forgot to require it. */
export function signedInUserId(ctx: Context): number {
  const userId = userIdOf(ctx);
  if (userId === undefined) throw invalidToken();
  return userId;
}
