import type Router from '@koa/router';
import { isPlazaError, type Plaza } from '@plaza/core';
import { overloaded } from '@plaza/core/host';
import { ROUTES } from './catalog.js';
import { mountRoute } from './mountRoute.js';
import { ok } from './respond.js';

/**
 * `GET /healthz`: 200 when the database answers and takes writes; OFF_01 (503) when it does
 * not, with a `hint` when storage refuses writes (a full disk, the file deleted).
 */
export function healthRoutes(router: Router, plaza: Plaza): void {
  mountRoute(router, plaza, ROUTES.health, async function health(ctx) {
    try {
      await plaza.health();
    } catch (error) {
      throw isPlazaError(error) ? error : overloaded(error);
    }
    ok(ctx, { status: 'ok' });
  });
}
