import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Plaza } from '@plaza/core';
import type { PlazaServer } from '@plaza/server-koa';
import { attachUnder } from './mountPlaza.js';
import type { ShopDatabase } from './shopDatabase.js';

export interface RunningShop {
  readonly server: Server;
  readonly plaza: Plaza;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a shop's request handler on 127.0.0.1 (`port` 0: any free port), Plaza's WebSocket
 * upgrades under `mount`; closing stops Plaza's server part, the host's, Plaza, then the
 * database, in that order.
 */
export async function serveShop(
  handler: RequestListener,
  parts: {
    readonly social: PlazaServer;
    readonly plaza: Plaza;
    readonly db: ShopDatabase;
    readonly mount: string;
    readonly port: number;
  },
): Promise<RunningShop> {
  const { social, plaza, db } = parts;
  const server = createHttpServer(handler);
  attachUnder(server, social, parts.mount);
  await new Promise<void>((resolve) => server.listen(parts.port, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    plaza,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await social.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await plaza.close();
      await db.close();
    },
  };
}
