import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is a plain token, else a
 * new UUID), a child logger carrying it in `ctx.state.log`, and one log line when it ends.
 * Only the method, path, status and duration are logged: never headers, queries or bodies,
 * which may hold passwords and tokens.
 */
export function requestLog(logger: Logger): Middleware {
  return async function logRequest(ctx, next) {
    const given = ctx.get('x-request-id');
    const requestId = SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    const log = logger.child({ req_id: requestId });
    ctx.state['log'] = log;
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      if (log.isLevelEnabled('info')) {
        log.info(
          {
            method: ctx.method,
            path: ctx.path,
            status: ctx.status,
            ms: Math.round((performance.now() - started) * 10) / 10,
          },
          'request',
        );
      }
    }
  };
}
