import type { Middleware } from 'koa';
import type { OriginPolicy } from '../OriginPolicy.js';

/** How long a browser may reuse a preflight's answer (seconds). */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for the origins `policy` allows, without credentials. A listed origin gets
 * `Access-Control-Allow-Origin` on every answer, errors included (mount it above the error
 * handler), so pages can read SPEC's error bodies; a preflight is answered here with 204.
 * Any other origin gets no CORS headers at all, and its preflight goes on to the router.
 *
 * @example app.use(cors(OriginPolicy.of({ origins: ['https://app.example.com'] })))
 */
export function cors(policy: OriginPolicy): Middleware {
  return async function allowCrossOrigin(ctx, next) {
    // The answer depends on Origin, so no shared cache may hand it to another origin.
    ctx.vary('Origin');
    const allowOrigin = policy.allowOriginFor(ctx.get('Origin'));
    if (allowOrigin === undefined) {
      await next();
      return;
    }
    ctx.set('Access-Control-Allow-Origin', allowOrigin);
    if (ctx.method === 'OPTIONS' && ctx.get('Access-Control-Request-Method') !== '') {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      ctx.set('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
      ctx.status = 204;
      return;
    }
    ctx.set('Access-Control-Expose-Headers', 'Retry-After, X-Request-Id');
    await next();
  };
}
