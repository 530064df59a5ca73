import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { overloaded } from '@plaza/core/host';

/**
 * Answers OFF_01 (503) to the requests a connection made past its limits (see
 * `ConnectionLimiter`), before any route or the database sees them: below the request log and
 * the error handler, so the refusal has a request id, SPEC's format and one log line.
 */
export function connectionRefusals(isRefused: (request: IncomingMessage) => boolean): Middleware {
  return async function refuseOverConnectionLimits(ctx, next) {
    if (isRefused(ctx.req)) throw overloaded('past its connection limits');
    await next();
  };
}
