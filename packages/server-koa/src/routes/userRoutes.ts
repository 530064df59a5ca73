import type Router from '@koa/router';
import { invalidToken, parseInput, profileInput, signUpInput, type Plaza } from '@plaza/core';
import { optionalUser, requireUser, signedInUserId, userIdOf } from '../middleware/auth.js';
import { paramsOf } from '../middleware/body.js';
import { ok, pending } from './respond.js';

/**
 * `POST /user/data` (sign up), `GET /user/data` (a profile, or your own) and
 * `POST /user/request-retrieve-data` (queue enrichment of your profile).
 */
export function userRoutes(router: Router, plaza: Plaza): void {
  router.post('/user/data', async function signUp(ctx) {
    const created = await plaza.users.signUp(parseInput(signUpInput, paramsOf(ctx)));
    ok(ctx, created);
  });

  router.get('/user/data', optionalUser(plaza), async function showProfile(ctx) {
    const params = paramsOf(ctx);
    const viewerId = userIdOf(ctx);
    const asked = params['user_id'];
    if ((asked === undefined || asked === '') && viewerId === undefined) {
      // Without user_id the caller asks for their own profile, which needs a token.
      throw invalidToken();
    }
    const input = parseInput(
      profileInput,
      asked === undefined || asked === '' ? { user_id: viewerId } : params,
    );
    ok(ctx, await plaza.users.profile(input, viewerId));
  });

  router.post(
    '/user/request-retrieve-data',
    requireUser(plaza),
    async function requestEnrichment(ctx) {
      await plaza.enrichment.request(signedInUserId(ctx));
      pending(ctx);
    },
  );
}
