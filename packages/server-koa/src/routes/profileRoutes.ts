import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { signedInUserId, userIdOf } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import type { RateLimiters } from '../middleware/rateLimit.js';
import { mountRoute } from './mountRoute.js';
import { PROFILE_ROUTES } from './profileCatalog.js';
import { ok } from './respond.js';

/**
 * `POST /user/update` (your profile), `POST /user/follow`, `POST /user/unfollow`, and
 * `GET /user/followers`, `GET /user/following`; the writes are rate limited.
 */
export function profileRoutes(router: Router, plaza: Plaza, limits: RateLimiters): void {
  mountRoute(
    router,
    plaza,
    PROFILE_ROUTES.updateProfile,
    limits.writes,
    async function updateProfile(ctx) {
      ok(ctx, await plaza.users.update(signedInUserId(ctx), paramsOf(ctx)));
    },
  );

  mountRoute(
    router,
    plaza,
    PROFILE_ROUTES.followUser,
    limits.writes,
    async function followUser(ctx) {
      await plaza.users.follow(signedInUserId(ctx), paramsOf(ctx));
      ok(ctx);
    },
  );

  mountRoute(
    router,
    plaza,
    PROFILE_ROUTES.unfollowUser,
    limits.writes,
    async function unfollowUser(ctx) {
      await plaza.users.unfollow(signedInUserId(ctx), paramsOf(ctx));
      ok(ctx);
    },
  );

  mountRoute(router, plaza, PROFILE_ROUTES.listFollowers, async function listFollowers(ctx) {
    ok(ctx, await plaza.users.followers(paramsOf(ctx), userIdOf(ctx)));
  });

  mountRoute(router, plaza, PROFILE_ROUTES.listFollowing, async function listFollowing(ctx) {
    ok(ctx, await plaza.users.following(paramsOf(ctx), userIdOf(ctx)));
  });
}
