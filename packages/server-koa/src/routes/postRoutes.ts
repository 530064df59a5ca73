import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { createPostInput, listPostsInput, parseInput, postIdInput } from '@plaza/core/host';
import { requireUser, signedInUserId as signedInUser } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import type { RateLimiters } from '../middleware/rateLimit.js';
import { ok } from './respond.js';

/** Posts and likes; the writes are rate limited per user and per client. */
export function postRoutes(router: Router, plaza: Plaza, limits: RateLimiters): void {
  const authenticate = requireUser(plaza);
  const limitWrites = limits.writes;

  router.post('/post/data', authenticate, limitWrites, async function createPost(ctx) {
    const input = parseInput(createPostInput, paramsOf(ctx));
    ok(ctx, await plaza.posts.create(signedInUser(ctx), input));
  });

  router.get('/post/read', async function readPost(ctx) {
    ok(ctx, await plaza.posts.read(parseInput(postIdInput, paramsOf(ctx))));
  });

  router.get('/post/list', async function listPosts(ctx) {
    ok(ctx, await plaza.posts.list(parseInput(listPostsInput, paramsOf(ctx))));
  });

  router.get('/post/likes', async function listLikers(ctx) {
    ok(ctx, await plaza.posts.likers(parseInput(postIdInput, paramsOf(ctx))));
  });

  router.post('/post/like', authenticate, limitWrites, async function likePost(ctx) {
    await plaza.likes.like(signedInUser(ctx), parseInput(postIdInput, paramsOf(ctx)));
    ok(ctx);
  });

  router.post('/post/unlike', authenticate, limitWrites, async function unlikePost(ctx) {
    await plaza.likes.unlike(signedInUser(ctx), parseInput(postIdInput, paramsOf(ctx)));
    ok(ctx);
  });
}
