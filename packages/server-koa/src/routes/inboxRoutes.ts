import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { signedInUserId } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import type { RateLimiters } from '../middleware/rateLimit.js';
import { INBOX_ROUTES } from './inboxCatalog.js';
import { mountRoute } from './mountRoute.js';
import { ok } from './respond.js';

/** `GET /notifications` (the inbox) and `POST /notifications/read`. */
export function inboxRoutes(router: Router, plaza: Plaza, limits: RateLimiters): void {
  mountRoute(router, plaza, INBOX_ROUTES.listNotifications, async function listNotifications(ctx) {
    ok(ctx, await plaza.notifications.list(signedInUserId(ctx), paramsOf(ctx)));
  });

  mountRoute(
    router,
    plaza,
    INBOX_ROUTES.markNotificationsRead,
    limits.writes,
    async function markNotificationsRead(ctx) {
      ok(ctx, await plaza.notifications.markRead(signedInUserId(ctx), paramsOf(ctx)));
    },
  );
}
