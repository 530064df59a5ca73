import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { paramsOf } from '../middleware/body.js';
import { clientIpOf } from '../middleware/clientIp.js';
import { ROUTES } from './catalog.js';
import { mountRoute } from './mountRoute.js';
import { ok } from './respond.js';
import { sessionAnswer } from './sessionRoutes.js';

/** `POST /api-token-auth/` and `POST /api-token-verify/`: the original JWT endpoints. */
export function authRoutes(router: Router, plaza: Plaza): void {
  mountRoute(router, plaza, ROUTES.login, async function login(ctx) {
    const issued = await plaza.auth.login(paramsOf(ctx), {
      clientIp: clientIpOf(ctx),
      device: ctx.get('user-agent'),
    });
    // The top-level `token` is kept for the original service's clients.
    ok(ctx, sessionAnswer(issued), { token: issued.token });
  });

  mountRoute(router, plaza, ROUTES.verifyToken, async function verifyToken(ctx) {
    const { token, user_id } = await plaza.auth.checkToken(paramsOf(ctx));
    ok(ctx, { user_id }, { token });
  });
}
