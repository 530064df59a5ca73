import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlaza, silentLogger } from '@plaza/core';
import { createServer } from '@plaza/server-koa';

export interface EmbeddedServer {
  readonly url: string;
  /** What the report says about this server. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * The passwords of a throwaway database protect nothing, so its hashes are cheaper than
 * the server's default (2^17): sign-up would otherwise take most of a demo run.
 */
export const EMBEDDED_SCRYPT_LOG_N = 14;

/**
 * A Plaza server in this process, on a loopback port, with a temporary SQLite database and
 * the offline providers; `close()` deletes the database.
 *
 * @example const server = await startEmbeddedServer(); … await server.close()
 */
export async function startEmbeddedServer(): Promise<EmbeddedServer> {
  const folder = await mkdtemp(join(tmpdir(), 'plaza-bot-'));
  try {
    const plaza = await createPlaza({
      databaseUrl: `sqlite:${join(folder, 'plaza.sqlite')}`,
      providers: 'fake',
      scrypt: { logN: EMBEDDED_SCRYPT_LOG_N },
      logger: silentLogger,
    });
    const plazaServer = createServer(plaza);
    const server = createHttpServer(plazaServer.app.callback());
    plazaServer.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/`,
      description: `in-process, temporary SQLite, offline providers, scrypt N=2^${EMBEDDED_SCRYPT_LOG_N}`,
      async close() {
        await plazaServer.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await plaza.close();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}
