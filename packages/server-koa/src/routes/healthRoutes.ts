import type Router from '@koa/router';
import { overloaded, type Plaza } from '@plaza/core';
import { ok } from './respond.js';

/** `GET /healthz`: 200 when the database answers, OFF_01 (503) when it does not. */
export function healthRoutes(router: Router, plaza: Plaza): void {
  router.get('/healthz', async function health(ctx) {
    try {
      await plaza.health();
    } catch (error) {
      throw overloaded(error);
    }
    ok(ctx, { status: 'ok' });
  });
}
