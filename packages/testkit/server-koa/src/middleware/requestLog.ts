import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { requestIdFor } from './requestId.js';

/** The id of the request, as `requestLog` set it. */
export const requestIdOf = (ctx: Context): string | undefined =>
  ctx.state['requestId'] as string | undefined;

/** Why the server, not the client, refused a request (EXT_01, OFF_01). */
export interface Refusal {
  readonly code: string;
  readonly reason: string | undefined;
}

/** Puts `refusal` on the request's log line, which is then written at warn level. */
export const noteRefusal = (ctx: Context, refusal: Refusal): void => {
  ctx.state['refusal'] = refusal;
};

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is a plain token, else a
 * new UUID), echoes it, and writes one log line when the request ends (at warn, with the
 * code and reason, when the server refused it: EXT_01, OFF_01). Only the method,
 * path, status and duration are logged: never headers, queries or bodies, which may hold
 * passwords and tokens.
 */
export function requestLog(logger: Logger): Middleware {
  return async function logRequest(ctx, next) {
    const requestId = requestIdFor(ctx.get('x-request-id'));
    ctx.state['requestId'] = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      const refusal = ctx.state['refusal'] as Refusal | undefined;
      const level = refusal === undefined ? 'info' : 'warn';
      if (logger.isLevelEnabled(level)) {
        logger[level](
          {
            req_id: requestId,
            method: ctx.method,
            path: ctx.path,
            status: ctx.status,
            ms: Math.round((performance.now() - started) * 10) / 10,
            ...(refusal === undefined
              ? {}
              : {
                  code: refusal.code,
                  ...(refusal.reason === undefined ? {} : { reason: refusal.reason }),
                }),
          },
          'request',
        );
      }
    }
  };
}
