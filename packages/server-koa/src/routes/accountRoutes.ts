import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { signedInUserId } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import { clientIpOf } from '../middleware/clientIp.js';
import type { RateLimiters } from '../middleware/rateLimit.js';
import { ROUTES } from './catalog.js';
import { mountRoute } from './mountRoute.js';
import { ok } from './respond.js';

/** `GET /user/export` (everything held about you) and `POST /user/delete` (leave). */
export function accountRoutes(router: Router, plaza: Plaza, limits: RateLimiters): void {
  // Rate limited as a write: it reads every row of the account.
  mountRoute(router, plaza, ROUTES.exportAccount, limits.writes, async function exportAccount(ctx) {
    const userId = signedInUserId(ctx);
    const exported = await plaza.account.export(userId);
    ctx.attachment(`plaza-export-${userId}.json`);
    ok(ctx, exported);
  });

  mountRoute(router, plaza, ROUTES.deleteAccount, limits.writes, async function deleteAccount(ctx) {
    await plaza.account.delete(signedInUserId(ctx), paramsOf(ctx), { clientIp: clientIpOf(ctx) });
    ok(ctx);
  });
}
