import type Router from '@koa/router';
import type { Plaza } from '@plaza/core';
import { invalidToken, malformedParam } from '@plaza/core/host';
import { signedInUserId, userIdOf } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import type { RateLimiters } from '../middleware/rateLimit.js';
import { ROUTES } from './catalog.js';
import { mountRoute } from './mountRoute.js';
import { ok, pending } from './respond.js';
import { sessionAnswer } from './sessionRoutes.js';

const ID_OR_USERNAME_MESSAGE = 'Give user_id or username, not both.';

/** Whether a parameter was sent with a value (forms send empty fields). */
const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/**
 * `POST /user/data` (sign up), `GET /user/data` (a profile, or your own),
 * `POST /user/request-retrieve-data` (queue enrichment of your profile),
 * `POST /user/password` and `POST /user/logout-all` (end every earlier session).
 */
export function userRoutes(router: Router, plaza: Plaza, limits: RateLimiters): void {
  mountRoute(router, plaza, ROUTES.signUp, limits.signUps, async function signUp(ctx) {
    const created = await plaza.users.signUp(paramsOf(ctx), { device: ctx.get('user-agent') });
    ok(ctx, created);
  });

  mountRoute(router, plaza, ROUTES.showProfile, async function showProfile(ctx) {
    const params = paramsOf(ctx);
    const viewerId = userIdOf(ctx);
    const askedId = given(params['user_id']);
    const askedName = given(params['username']);
    if (askedName) {
      // Two ways of naming one user could name two: refused rather than one silently chosen.
      if (askedId) throw malformedParam('username', ID_OR_USERNAME_MESSAGE);
      ok(ctx, await plaza.users.profileByUsername(params, viewerId));
      return;
    }
    if (!askedId && viewerId === undefined) {
      // Without user_id the caller asks for their own profile, which needs a token.
      throw invalidToken();
    }
    const asking = askedId ? params : { user_id: viewerId };
    ok(ctx, await plaza.users.profile(asking, viewerId));
  });

  mountRoute(
    router,
    plaza,
    ROUTES.requestEnrichment,
    limits.writes,
    async function requestEnrichment(ctx) {
      await plaza.enrichment.request(signedInUserId(ctx));
      pending(ctx);
    },
  );

  mountRoute(
    router,
    plaza,
    ROUTES.changePassword,
    limits.writes,
    async function changePassword(ctx) {
      const issued = await plaza.auth.changePassword(signedInUserId(ctx), paramsOf(ctx), {
        device: ctx.get('user-agent'),
      });
      // Every earlier token, this request's included, is invalid now: here is the next session.
      ok(ctx, sessionAnswer(issued));
    },
  );

  mountRoute(
    router,
    plaza,
    ROUTES.logoutEverywhere,
    limits.writes,
    async function logoutEverywhere(ctx) {
      await plaza.auth.logoutAll(signedInUserId(ctx));
      ok(ctx);
    },
  );
}
