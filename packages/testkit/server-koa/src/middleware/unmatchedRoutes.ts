import type { Middleware } from 'koa';

/** JSON answers for a path no route serves (404) and a method a route does not take (405). */
export function unmatchedRoutes(): Middleware {
  return async function answerUnmatched(ctx, next) {
    await next();
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 404) {
      ctx.status = 404;
      ctx.body = { code: 'USR_01', message: 'Object not found.' };
    } else if (ctx.status === 405 || ctx.status === 501) {
      // koa-router answers 501 to a method no route takes at all (PROPFIND, TRACE…): that is
      // the client's mistake too, so 405 in the error format rather than a bare 5xx.
      ctx.status = 405;
      ctx.body = {
        code: 'USR_02',
        message: `Method not allowed; use ${ctx.response.get('Allow')}.`,
      };
    }
  };
}
