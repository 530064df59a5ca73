import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { signedInUserId as signedInUser, userIdOf } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import type { RateLimiters } from '../middleware/rateLimit.js';
import { ROUTES } from './catalog.js';
import { mountRoute } from './mountRoute.js';
import { ok } from './respond.js';

/** Posts, likes and the feed; the writes are rate limited per user and per client. */
export function postRoutes(router: Router, plaza: Plaza, limits: RateLimiters): void {
  const limitWrites = limits.writes;

  mountRoute(router, plaza, ROUTES.createPost, limitWrites, async function createPost(ctx) {
    ok(ctx, await plaza.posts.create(signedInUser(ctx), paramsOf(ctx)));
  });

  mountRoute(router, plaza, ROUTES.readPost, async function readPost(ctx) {
    ok(ctx, await plaza.posts.read(paramsOf(ctx), userIdOf(ctx)));
  });

  mountRoute(router, plaza, ROUTES.listPosts, async function listPosts(ctx) {
    ok(ctx, await plaza.posts.list(paramsOf(ctx), userIdOf(ctx)));
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

  mountRoute(router, plaza, ROUTES.editPost, limitWrites, async function editPost(ctx) {
    ok(ctx, await plaza.posts.edit(signedInUser(ctx), paramsOf(ctx)));
  });

  mountRoute(router, plaza, ROUTES.deletePost, limitWrites, async function deletePost(ctx) {
    await plaza.posts.delete(signedInUser(ctx), paramsOf(ctx));
    ok(ctx);
  });

  mountRoute(router, plaza, ROUTES.readFeed, async function readFeed(ctx) {
    ok(ctx, await plaza.posts.feed(signedInUser(ctx), paramsOf(ctx)));
  });
}
