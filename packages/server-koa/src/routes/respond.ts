import type { Context } from 'koa';

/** SPEC's success envelope. */
export function ok(ctx: Context, data?: unknown, extra: Record<string, unknown> = {}): void {
  ctx.status = 200;
  ctx.body = data === undefined ? { code: 'OK', ...extra } : { code: 'OK', ...extra, data };
}
