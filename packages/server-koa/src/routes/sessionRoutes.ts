import type Router from '@koa/router';
import type { IssuedSession, Plaza } from '@plaza/core';
import { sessionIdOf, signedInUserId } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import type { RateLimiters } from '../middleware/rateLimit.js';
import { SESSION_ROUTES } from './sessionCatalog.js';
import { mountRoute } from './mountRoute.js';
import { ok } from './respond.js';

/** The `data` of every answer that hands out a session: the kept fields first. */
export function sessionAnswer(issued: IssuedSession): Record<string, unknown> {
  return {
    token: issued.token,
    user_id: issued.userId,
    expires_at: issued.expiresAt,
    refresh_token: issued.refreshToken,
  };
}

/**
 * `POST /api-token-refresh/` (the next tokens for a refresh token), `GET /user/sessions` and
 * `POST /user/logout` (end this session).
 */
export function sessionRoutes(router: Router, plaza: Plaza, limits: RateLimiters): void {
  mountRoute(router, plaza, SESSION_ROUTES.refreshToken, async function refreshToken(ctx) {
    const issued = await plaza.auth.refresh(paramsOf(ctx));
    // The top-level `token` as at login (and as the original's JWT library answered here).
    ok(ctx, sessionAnswer(issued), { token: issued.token });
  });

  mountRoute(router, plaza, SESSION_ROUTES.listSessions, async function listSessions(ctx) {
    ok(ctx, await plaza.auth.sessions(signedInUserId(ctx), sessionIdOf(ctx)));
  });

  mountRoute(router, plaza, SESSION_ROUTES.logout, limits.writes, async function logout(ctx) {
    await plaza.auth.logout(signedInUserId(ctx), sessionIdOf(ctx));
    ok(ctx);
  });
}
