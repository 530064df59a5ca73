import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { createPlaza, type Plaza, type PlazaOptions } from '@plaza/core';
import { sharedDatabaseUrl } from '@plaza/testkit';
import { createServer, type PlazaServer } from '@plaza/server-koa';
import { TEST_JWT_SECRET } from '../../support/apiTarget.js';
import { closeServer, portOf } from './localServers.js';

export interface LoopbackPlazaOptions {
  /** Not in memory: the same database and port give a restarted server the same users and posts. */
  readonly databaseUrl: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  readonly plaza?: Partial<PlazaOptions>;
}

/** Plaza, its Koa server and `/user-watch` on 127.0.0.1, stoppable and restartable. */
export interface LoopbackPlaza {
  /** The base URL a client is given. */
  readonly url: string;
  readonly port: number;
  readonly plaza: Plaza;
  readonly plazaServer: PlazaServer;
  /** Closes the sockets (1001), the HTTP server and the database. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startLoopbackPlaza(options: LoopbackPlazaOptions): Promise<LoopbackPlaza> {
  const plaza = await createPlaza({
    databaseUrl: options.databaseUrl,
    jwtSecret: TEST_JWT_SECRET,
    scrypt: { logN: 10 },
    ...options.plaza,
  });
  const plazaServer = createServer(plaza);
  const server = createHttpServer(plazaServer.app.callback());
  plazaServer.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = portOf(server);
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    plaza,
    plazaServer,
    stop() {
      stopping ??= (async () => {
        await plazaServer.close();
        await closeServer(server);
        await plaza.close();
      })();
      return stopping;
    },
  };
}

/** A database a restart keeps: a SQLite file in a folder removed when the test ends, or a schema. */
export function temporaryDatabase(t: ExecutionContext): string {
  const folder = mkdtempSync(join(tmpdir(), 'plaza-sdk-'));
  t.teardown(() => rmSync(folder, { recursive: true, force: true }));
  return sharedDatabaseUrl(folder);
}
