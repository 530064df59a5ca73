import { readdir, readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createPlaza } from '@plaza/core';
import { freshDatabaseUrl } from '@plaza/testkit';
import { createServer } from '@plaza/server-koa';
import { listenOnLoopback } from '../fakes/listenOnLoopback.js';
import { TEST_JWT_SECRET } from '../support/apiTarget.js';

/** The built @plaza/client-sdk, found as a consumer finds it (the folder of its entry). */
export const SDK_DIST = dirname(fileURLToPath(import.meta.resolve('@plaza/client-sdk')));

/** Where the page imports the SDK from: `${SDK_PATH}index.js` is the universal entry. */
export const SDK_PATH = '/sdk/';

const PAGE = `<!doctype html>
<html lang="en">
  <meta charset="utf-8" />
  <title>Plaza SDK in a browser</title>
  <link rel="icon" href="data:," />
  <p>Driven by test/browser through page.evaluate.</p>
</html>
`;

/** A page, the SDK's files and Plaza's API on one origin, so the browser needs no CORS. */
export interface SameOriginPlaza {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * One Node HTTP server on a free loopback port: `/` is a tiny HTML page, `/sdk/NAME.js` a
 * module of the SDK's dist, and everything else (WebSocket upgrades too) is Plaza, with the
 * offline fake providers.
 */
export async function startSameOriginPlaza(): Promise<SameOriginPlaza> {
  // Read once, served by exact name: a request path never reaches the file system.
  const modules = await sdkModules();
  // Errors only: the fake providers warn at start-up that they are fakes.
  const logger = pino({ level: 'error' }, process.stderr);
  const plaza = await createPlaza({
    databaseUrl: freshDatabaseUrl(),
    jwtSecret: TEST_JWT_SECRET,
    scrypt: { logN: 10 },
    providers: 'fake',
    logger,
  });
  const plazaServer = createServer(plaza, { logger });
  const handlePlaza = plazaServer.app.callback();

  const server = createHttpServer((request, response) => {
    const target = request.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    if (path === '/') {
      send(response, 200, 'text/html; charset=utf-8', PAGE);
    } else if (path.startsWith(SDK_PATH)) {
      const source = modules.get(path.slice(SDK_PATH.length));
      if (source === undefined) send(response, 404, 'text/plain; charset=utf-8', 'Not found.');
      else send(response, 200, 'text/javascript; charset=utf-8', source);
    } else {
      void handlePlaza(request, response);
    }
  });
  plazaServer.attach(server);
  const url = await listenOnLoopback(server);

  return {
    url,
    async close() {
      await plazaServer.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await plaza.close();
    },
  };
}

/** The SDK's built modules (tests left out), by file name. */
async function sdkModules(): Promise<ReadonlyMap<string, Buffer>> {
  const names = (await readdir(SDK_DIST)).filter(
    (name) => name.endsWith('.js') && !name.endsWith('.test.js'),
  );
  const sources = await Promise.all(names.map((name) => readFile(join(SDK_DIST, name))));
  return new Map(names.map((name, index) => [name, sources[index]!]));
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}
