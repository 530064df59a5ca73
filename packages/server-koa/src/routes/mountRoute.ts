import type Router from '@koa/router';
import type { RouterMiddleware } from '@koa/router';
import type { Plaza } from '@plaza/core';
import { optionalUser, requireUser, viewingUser } from '../middleware/auth.js';
import type { RouteDeclaration } from './catalog.js';

/**
 * Registers a route as the catalog declares it: its method, its path, and the authentication
 * it asks for ahead of `middleware` (the rate limits, then the handler).
 *
 * @example mountRoute(router, plaza, ROUTES.readPost, async function readPost(ctx) { … })
 */
export function mountRoute(
  router: Router,
  plaza: Plaza,
  route: RouteDeclaration,
  ...middleware: RouterMiddleware[]
): void {
  const stack: RouterMiddleware[] = [...authenticationFor(route, plaza), ...middleware];
  if (route.method === 'GET') router.get(route.name, route.path, ...stack);
  else router.post(route.name, route.path, ...stack);
}

function authenticationFor(route: RouteDeclaration, plaza: Plaza): RouterMiddleware[] {
  if (route.auth === 'required') return [requireUser(plaza)];
  if (route.auth === 'optional') return [optionalUser(plaza)];
  if (route.auth === 'viewer') return [viewingUser(plaza)];
  return [];
}
