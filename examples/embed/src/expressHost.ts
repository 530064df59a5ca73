/**
 * Plaza inside an existing Express 5 app: Plaza's Koa app is one handler mounted under
 * /social (`app.use('/social', social.app.callback())`), and WebSocket upgrades under
 * /social go to Plaza. The shop's database and migrations are the Koa example's.
 *
 *   DATABASE_URL=postgres://… node dist/src/koaHost.js migrate
 *   DATABASE_URL=postgres://… PORT=8080 node dist/src/expressHost.js
 */
import { pathToFileURL } from 'node:url';
import express from 'express';
import { createServer } from '@plaza/server-koa';
import { serveShop, type RunningShop } from './serveShop.js';
import { openShopDatabase, startPlazaOnShop, type ShopConfig } from './shopDatabase.js';

export const MOUNT = '/social';

/** Starts the Express shop on `port` (0: any free port); the database must be migrated. */
export async function startExpressShop(
  config: ShopConfig & { port?: number } = {},
): Promise<RunningShop> {
  const db = openShopDatabase(config);
  const plaza = await startPlazaOnShop(db);
  const social = createServer(plaza);

  const app = express();
  // Before express.json() or any body parser: Plaza reads its own request bodies. Express
  // takes /social off the path, as Plaza expects.
  app.use(MOUNT, social.app.callback());
  app.use(express.json());
  app.get('/', (_request, response) => {
    response.json({ app: 'my-shop', social: MOUNT });
  });
  app.get('/customers', async (_request, response) => {
    response.json(await db.shop('users').select('id', 'name').orderBy('id'));
  });

  return serveShop(app, { social, plaza, db, mount: MOUNT, port: config.port ?? 0 });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const shop = await startExpressShop({
    databaseUrl: process.env['DATABASE_URL'],
    port: Number(process.env['PORT'] ?? 8080),
  });
  console.log(`my-shop (Express) on ${shop.url}; Plaza under ${shop.url}${MOUNT}/healthz`);
  process.once('SIGTERM', () => void shop.close());
}
