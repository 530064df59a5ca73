import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { paramsOf } from '../middleware/body.js';
import { ANALYTICS_ROUTES } from './analyticsCatalog.js';
import { mountRoute } from './mountRoute.js';
import { ok } from './respond.js';

/** `GET /analytics/likes` and the same at `GET /api/analitics/`: likes made per day. */
export function analyticsRoutes(router: Router, plaza: Plaza): void {
  for (const route of [ANALYTICS_ROUTES.likesByDay, ANALYTICS_ROUTES.likesByDayOriginal]) {
    mountRoute(router, plaza, route, async function likesByDay(ctx) {
      ok(ctx, await plaza.analytics.likes(paramsOf(ctx)));
    });
  }
}
