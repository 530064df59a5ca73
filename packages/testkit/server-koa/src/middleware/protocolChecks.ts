import type { Middleware } from 'koa';
import { PlazaError } from '@plaza/core';

/** Node's own test for an expectation it can meet. */
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;

/**
 * The two checks Node's HTTP server makes before a request reaches any listener, made here
 * instead (`attach` turns Node's off) so that their answers, like every other, carry an
 * `X-Request-Id`, SPEC's error body and a log line: an HTTP/1.1 request must name its Host
 * (400), and an `Expect` other than `100-continue` cannot be met (417).
 */
export function protocolChecks(): Middleware {
  return async function checkProtocol(ctx, next) {
    if (ctx.req.httpVersion === '1.1') {
      if (ctx.req.headers.host === undefined) {
        throw new PlazaError('USR_02', 'The request has no Host header.');
      }
      const expect = ctx.req.headers.expect;
      if (expect !== undefined && !CONTINUE.test(expect)) {
        ctx.status = 417;
        ctx.body = { code: 'USR_02', message: 'The Expect header cannot be met.' };
        return;
      }
    }
    await next();
  };
}
