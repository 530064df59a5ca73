import type { Middleware } from 'koa';

/** JSON answers for a path no route serves (404) and a method a route does not take (405). */
export function unmatchedRoutes(): Middleware {
  return async function answerUnmatched(ctx, next) {
    await next();
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 404) {
      ctx.status = 404;
      ctx.body = { code: 'USR_01', message: 'Object not found.' };
    } else if (ctx.status === 405) {
      ctx.body = {
        code: 'USR_02',
        message: `Method not allowed; use ${ctx.response.get('Allow')}.`,
      };
    }
  };
}
