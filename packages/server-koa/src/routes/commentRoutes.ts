import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { signedInUserId as signedInUser } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import type { RateLimiters } from '../middleware/rateLimit.js';
import { ROUTES } from './catalog.js';
import { mountRoute } from './mountRoute.js';
import { ok } from './respond.js';

/** Comments on posts; the writes are rate limited like the other writes. */
export function commentRoutes(router: Router, plaza: Plaza, limits: RateLimiters): void {
  const limitWrites = limits.writes;

  mountRoute(router, plaza, ROUTES.createComment, limitWrites, async function createComment(ctx) {
    ok(ctx, await plaza.comments.create(signedInUser(ctx), paramsOf(ctx)));
  });

  mountRoute(router, plaza, ROUTES.listComments, async function listComments(ctx) {
    ok(ctx, await plaza.comments.list(paramsOf(ctx)));
  });

  mountRoute(router, plaza, ROUTES.deleteComment, limitWrites, async function deleteComment(ctx) {
    await plaza.comments.delete(signedInUser(ctx), paramsOf(ctx));
    ok(ctx);
  });
}
