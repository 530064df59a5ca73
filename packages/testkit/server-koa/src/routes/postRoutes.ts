import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { signedInUserId as signedInUser } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import type { RateLimiters } from '../middleware/rateLimit.js';
import { ROUTES } from './catalog.js';
import { mountRoute } from './mountRoute.js';
import { ok } from './respond.js';

/** Posts and likes; the writes are rate limited per user and per client. */
export function postRoutes(router: Router, plaza: Plaza, limits: RateLimiters): void {
  const limitWrites = limits.writes;

  mountRoute(router, plaza, ROUTES.createPost, limitWrites, async function createPost(ctx) {
    ok(ctx, await plaza.posts.create(signedInUser(ctx), paramsOf(ctx)));
  });

  mountRoute(router, plaza, ROUTES.readPost, async function readPost(ctx) {
    ok(ctx, await plaza.posts.read(paramsOf(ctx)));
  });

  mountRoute(router, plaza, ROUTES.listPosts, async function listPosts(ctx) {
    ok(ctx, await plaza.posts.list(paramsOf(ctx)));
  });

  mountRoute(router, plaza, ROUTES.listLikers, async function listLikers(ctx) {
    ok(ctx, await plaza.posts.likers(paramsOf(ctx)));
  });

  mountRoute(router, plaza, ROUTES.likePost, limitWrites, async function likePost(ctx) {
    await plaza.likes.like(signedInUser(ctx), paramsOf(ctx));
    ok(ctx);
  });

  mountRoute(router, plaza, ROUTES.unlikePost, limitWrites, async function unlikePost(ctx) {
    await plaza.likes.unlike(signedInUser(ctx), paramsOf(ctx));
    ok(ctx);
  });
}
