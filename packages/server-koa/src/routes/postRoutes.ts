import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { requireUser, signedInUserId as signedInUser } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import type { RateLimiters } from '../middleware/rateLimit.js';
import { ok } from './respond.js';

/** Posts and likes; the writes are rate limited per user and per client. */
export function postRoutes(router: Router, plaza: Plaza, limits: RateLimiters): void {
  const authenticate = requireUser(plaza);
  const limitWrites = limits.writes;

  router.post('/post/data', authenticate, limitWrites, async function createPost(ctx) {
    ok(ctx, await plaza.posts.create(signedInUser(ctx), paramsOf(ctx)));
  });

  router.get('/post/read', async function readPost(ctx) {
    ok(ctx, await plaza.posts.read(paramsOf(ctx)));
  });

  router.get('/post/list', async function listPosts(ctx) {
    ok(ctx, await plaza.posts.list(paramsOf(ctx)));
  });

  router.get('/post/likes', async function listLikers(ctx) {
    ok(ctx, await plaza.posts.likers(paramsOf(ctx)));
  });

  router.post('/post/like', authenticate, limitWrites, async function likePost(ctx) {
    await plaza.likes.like(signedInUser(ctx), paramsOf(ctx));
    ok(ctx);
  });

  router.post('/post/unlike', authenticate, limitWrites, async function unlikePost(ctx) {
    await plaza.likes.unlike(signedInUser(ctx), paramsOf(ctx));
    ok(ctx);
  });
}
