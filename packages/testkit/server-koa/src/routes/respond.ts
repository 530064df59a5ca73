import type { Context } from 'koa';

/** SPEC's success envelope. */
export function ok(ctx: Context, data?: unknown, extra: Record<string, unknown> = {}): void {
  ctx.status = 200;
  ctx.body = data === undefined ? { code: 'OK', ...extra } : { code: 'OK', ...extra, data };
}

/** Accepted for later: the outcome arrives over the WebSocket. */
export function pending(ctx: Context): void {
  ctx.status = 202;
  ctx.body = { code: 'PENDING' };
}
