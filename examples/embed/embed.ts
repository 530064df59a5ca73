/**
 * Plaza inside an existing Node HTTP app: the host keeps its own routes and hands every
 * request under /social to Plaza, on one server. Run it: `PORT=8080 node examples/embed/dist/embed.js`.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createPlaza, type Plaza } from '@plaza/core';
import { createServer } from '@plaza/server-koa';

export interface EmbeddedApp {
  readonly server: Server;
  readonly plaza: Plaza;
  readonly url: string;
  close(): Promise<void>;
}

const MOUNT = '/social';

/** Starts the host app on `port` (0: any free port) with Plaza mounted under /social. */
export async function startEmbeddedApp(
  port = 0,
  databaseUrl = 'sqlite::memory:',
): Promise<EmbeddedApp> {
  const plaza = await createPlaza({ databaseUrl, providers: 'fake' });
  const social = createServer(plaza);
  const handleSocial = social.app.callback();

  const server = createHttpServer((request, response) => {
    if (unmounted(request)) {
      void handleSocial(request, response);
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ app: 'my-shop', social: MOUNT }));
  });
  // WebSocket upgrades (/social/user-watch) lose the prefix before Plaza's listener sees them.
  server.prependListener('upgrade', (request: IncomingMessage) => unmounted(request));
  social.attach(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    server,
    plaza,
    url: `http://127.0.0.1:${bound}`,
    async close() {
      await social.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await plaza.close();
    },
  };
}

/** Strips the mount point from a request for Plaza; false if the request is not Plaza's. */
function unmounted(request: IncomingMessage): boolean {
  const url = request.url ?? '/';
  if (url !== MOUNT && !url.startsWith(`${MOUNT}/`) && !url.startsWith(`${MOUNT}?`)) return false;
  request.url = url.slice(MOUNT.length) || '/';
  return true;
}

const DEFAULT_PORT = 8080;

/** PORT from the environment: a whole number from 0 to 65535 (0: any free port). */
function portFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT;
  const port = /^[0-9]{1,5}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(port <= 65_535)) {
    throw new RangeError(`PORT must be a port number from 0 to 65535; it is "${value}".`);
  }
  return port;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let port: number;
  try {
    port = portFrom(process.env['PORT']);
  } catch (error) {
    console.error(`embed: ${(error as Error).message}`);
    process.exit(2);
  }
  const app = await startEmbeddedApp(port);
  console.log(`my-shop on ${app.url}; Plaza under ${app.url}${MOUNT}/healthz`);
  process.once('SIGTERM', () => void app.close());
}
