/**
 * Plaza inside an existing Koa app, "my-shop": the shop keeps its routes, its tables (its own
 * `users` and `posts`) and its knex migrations; Plaza runs on the shop's knex under /social,
 * live events (/social/user-watch) included.
 *
 *   DATABASE_URL=postgres://… node dist/src/koaHost.js migrate   # the shop's and Plaza's migrations
 *   DATABASE_URL=postgres://… PORT=8080 node dist/src/koaHost.js
 *
 * Without DATABASE_URL: SQLite files in ./data (Plaza's in a file of its own).
 */
import { pathToFileURL } from 'node:url';
import Router from '@koa/router';
import Koa from 'koa';
import { createServer } from '@plaza/server-koa';
import { unmount } from './mountPlaza.js';
import { serveShop, type RunningShop } from './serveShop.js';
import {
  migrateShop,
  openShopDatabase,
  startPlazaOnShop,
  type ShopConfig,
} from './shopDatabase.js';

export const MOUNT = '/social';

export type { RunningShop };

/**
 * Starts the shop on `port` (0: any free port) with Plaza under /social. The database must
 * have been migrated (`migrateShop`): Plaza starts with `migrate: false`.
 */
export async function startKoaShop(
  config: ShopConfig & { port?: number } = {},
): Promise<RunningShop> {
  const db = openShopDatabase(config);
  const plaza = await startPlazaOnShop(db);
  const social = createServer(plaza);
  const handleSocial = social.app.callback();

  const router = new Router();
  router.get('/', (ctx) => {
    ctx.body = { app: 'my-shop', social: MOUNT };
  });
  router.get('/customers', async (ctx) => {
    ctx.body = await db.shop('users').select('id', 'name').orderBy('id');
  });
  router.get('/blog', async (ctx) => {
    ctx.body = await db.shop('posts').select('id', 'headline').orderBy('id');
  });

  const app = new Koa();
  // First, before any body parser of the shop's: Plaza reads its own request bodies.
  app.use(async function socialMount(ctx, next) {
    if (!unmount(ctx.req, MOUNT)) {
      await next();
      return;
    }
    ctx.respond = false;
    await handleSocial(ctx.req, ctx.res);
  });
  app.use(router.routes());
  app.use(router.allowedMethods());

  return serveShop(app.callback(), { social, plaza, db, mount: MOUNT, port: config.port ?? 0 });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = { databaseUrl: process.env['DATABASE_URL'] };
  if (process.argv[2] === 'migrate') {
    const db = openShopDatabase(config);
    const { shop, social } = await migrateShop(db).finally(() => db.close());
    console.log(`my-shop migrated: ${shop.length} of its own, ${social.length} of Plaza's`);
  } else {
    const shop = await startKoaShop({ ...config, port: Number(process.env['PORT'] ?? 8080) });
    console.log(`my-shop on ${shop.url}; Plaza under ${shop.url}${MOUNT}/healthz`);
    process.once('SIGTERM', () => void shop.close());
  }
}
