import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { signedInUserId } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import { ACTIVITY_ROUTES } from './activityCatalog.js';
import { mountRoute } from './mountRoute.js';
import { ok } from './respond.js';

/** `GET /user/activity`: when you, or for an admin anyone, last signed in and made a request. */
export function activityRoutes(router: Router, plaza: Plaza): void {
  mountRoute(router, plaza, ACTIVITY_ROUTES.userActivity, async function userActivity(ctx) {
    ok(ctx, await plaza.activity.of(signedInUserId(ctx), paramsOf(ctx)));
  });
}
