import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createPlaza, type Plaza, type PlazaOptions } from '@plaza/core';
import { freshDatabaseUrl } from '@plaza/testkit';
import { createServer, type PlazaServer, type ServerOptions } from '@plaza/server-koa';
import { FAKE_HUNTER_API_KEY, startFakeHunter, type FakeHunter } from '../fakes/fakeHunter.js';

/** Where the API tests send their requests: an in-process server, or `REAL_SERVER`. */
export interface ApiTarget {
  readonly baseUrl: string;
  /** Present only in-process: the local Hunter fake the server verifies emails with. */
  readonly hunter: FakeHunter | undefined;
  /** Present only in-process. */
  readonly plaza: Plaza | undefined;
  /** Everything the server logged (in-process only). */
  readonly logs: () => string;
  close(): Promise<void>;
}

/** A server in this process: its Plaza, its Hunter fake and its WebSocket side are at hand. */
export interface InProcessTarget extends ApiTarget {
  readonly hunter: FakeHunter;
  readonly plaza: Plaza;
  /** What `createServer` returned: `close()` ends the `/user-watch` sockets. */
  readonly plazaServer: PlazaServer;
  /** The Node HTTP server the app is attached to. */
  readonly httpServer: Server;
}

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

/** `REAL_SERVER=http://host:port` runs the suite against a running server; `1` means :8000. */
export function realServerUrl(): string | undefined {
  const value = process.env['REAL_SERVER']?.trim();
  if (value === undefined || value === '' || value === '0') return undefined;
  return value === '1' ? 'http://127.0.0.1:8000' : value.replace(/\/+$/, '');
}

/**
 * Starts Plaza on an ephemeral loopback port, verifying emails against a local HTTP fake
 * of Hunter, unless `REAL_SERVER` names a server to test instead.
 */
export async function startApiTarget(
  options: Partial<PlazaOptions> = {},
  server: ServerOptions = {},
): Promise<ApiTarget> {
  const real = realServerUrl();
  if (real !== undefined) {
    return {
      baseUrl: real,
      hunter: undefined,
      plaza: undefined,
      logs: () => '',
      close: async () => {},
    };
  }
  return startInProcessTarget(options, server);
}

/** Starts Plaza in this process, whatever `REAL_SERVER` says (for tests that need its insides). */
export async function startInProcessTarget(
  options: Partial<PlazaOptions> = {},
  serverOptions: ServerOptions = {},
): Promise<InProcessTarget> {
  const hunter = await startFakeHunter();
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString('utf8');
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const plaza = await createPlaza({
    databaseUrl: freshDatabaseUrl(),
    jwtSecret: TEST_JWT_SECRET,
    scrypt: { logN: 10 },
    // The fake answers in milliseconds, but every sign-up of the suite depends on it beating
    // this, on a saturated machine too; only http.test's hanging fake waits it out.
    hunter: { apiKey: FAKE_HUNTER_API_KEY, baseUrl: hunter.url, timeoutMs: 10_000 },
    logger,
    ...options,
  });
  const plazaServer = createServer(plaza, { logger, bodyLimit: '100kb', ...serverOptions });
  const server = createHttpServer(plazaServer.app.callback());
  plazaServer.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    hunter,
    plaza,
    plazaServer,
    httpServer: server,
    logs: () => logged,
    async close() {
      await plazaServer.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await plaza.close();
      await hunter.close();
    },
  };
}
