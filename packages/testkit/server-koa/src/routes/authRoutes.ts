import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { paramsOf } from '../middleware/body.js';
import { clientIpOf } from '../middleware/clientIp.js';
import { ROUTES } from './catalog.js';
import { mountRoute } from './mountRoute.js';
import { ok } from './respond.js';

/** `POST /api-token-auth/` and `POST /api-token-verify/`: the original JWT endpoints. */
export function authRoutes(router: Router, plaza: Plaza): void {
  mountRoute(router, plaza, ROUTES.login, async function login(ctx) {
    const issued = await plaza.auth.login(paramsOf(ctx), {
      clientIp: clientIpOf(ctx),
    });
    // The top-level `token` is kept for the original service's clients.
    ok(
      ctx,
      { token: issued.token, user_id: issued.userId, expires_at: issued.expiresAt },
      { token: issued.token },
    );
  });

  mountRoute(router, plaza, ROUTES.verifyToken, async function verifyToken(ctx) {
    const { token, user_id } = await plaza.auth.checkToken(paramsOf(ctx));
    ok(ctx, { user_id }, { token });
  });
}
