import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createPlaza, type Plaza } from '@plaza/core';
import { createServer } from './app.js';
import { InFlightRequests } from './InFlightRequests.js';
import { ListenAddressUnavailable } from './ListenAddressUnavailable.js';
import type { Settings } from './settings.js';

export interface ServeOptions {
  readonly settings: Settings;
  readonly logger: Logger;
}

export interface RunningServer {
  readonly plaza: Plaza;
  readonly server: Server;
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /**
   * Closes the WebSocket connections (1001) and idle connections, stops accepting
   * connections, lets requests in flight finish with `Connection: close` (up to the shutdown
   * timeout, then cuts what is left), waits for their handlers, and closes the database once
   * its pending writes are committed.
   */
  close(): Promise<void>;
}

/**
 * Opens the database, builds the app and listens: what `plaza-server` does.
 *
 * @example const running = await serve({ settings: loadSettings({ env: process.env }), logger })
 */
export async function serve({ settings, logger }: ServeOptions): Promise<RunningServer> {
  const plaza = await createPlaza({ ...settings.plaza, logger });
  const plazaServer = createServer(plaza, {
    logger,
    bodyLimit: settings.bodyLimit,
    timeouts: settings.timeouts,
    webSocket: settings.webSocket,
    trustProxy: settings.trustProxy,
    rateLimits: settings.rateLimits,
    connections: settings.connections,
    ...(settings.cors === undefined ? {} : { cors: settings.cors }),
  });
  const server = createHttpServer();
  const requests = new InFlightRequests(plazaServer.app.callback(), () =>
    server.closeIdleConnections(),
  );
  server.on('request', requests.listener);
  plazaServer.attach(server);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await plaza.close();
    throw new ListenAddressUnavailable(
      `cannot listen on HOST ${settings.host}, PORT ${settings.port}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const deadline = Date.now() + settings.shutdownTimeoutMs;
      requests.stopKeepingAlive();
      // First: server.close() would wait for upgraded sockets, which only we can end.
      await plazaServer.close();
      await stopAccepting(server, settings.shutdownTimeoutMs);
      // A handler can outlive its connection (the client left, or was cut at the deadline):
      // the database stays open until the handlers are done with it.
      await requests.settled(Math.max(deadline - Date.now(), 1000));
      await plaza.close();
    })();
    return closing;
  };
  return { plaza, server, url, close };
}

function stopAccepting(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
