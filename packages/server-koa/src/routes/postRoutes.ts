import type Router from '@koa/router';
import { createPostInput, listPostsInput, parseInput, postIdInput, type Plaza } from '@plaza/core';
import { requireUser, signedInUserId as signedInUser } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import { ok } from './respond.js';

/** Posts and likes. */
export function postRoutes(router: Router, plaza: Plaza): void {
  const authenticate = requireUser(plaza);

  router.post('/post/data', authenticate, async function createPost(ctx) {
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

  router.post('/post/like', authenticate, async function likePost(ctx) {
    await plaza.likes.like(signedInUser(ctx), parseInput(postIdInput, paramsOf(ctx)));
    ok(ctx);
  });

  router.post('/post/unlike', authenticate, async function unlikePost(ctx) {
    await plaza.likes.unlike(signedInUser(ctx), parseInput(postIdInput, paramsOf(ctx)));
    ok(ctx);
  });
}
