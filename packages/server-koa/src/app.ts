import type { Server } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { pino, type Logger } from 'pino';
import type { Plaza } from '@plaza/core';
import { bodyParser, DEFAULT_BODY_LIMIT } from './middleware/body.js';
import { errorHandler } from './middleware/errors.js';
import { unmatchedRoutes } from './middleware/unmatchedRoutes.js';
import { requestLog } from './middleware/requestLog.js';
import { securityHeaders } from './middleware/securityHeaders.js';
import { authRoutes } from './routes/authRoutes.js';
import { healthRoutes } from './routes/healthRoutes.js';
import { postRoutes } from './routes/postRoutes.js';
import { userRoutes } from './routes/userRoutes.js';
import { UserWatch } from './ws/UserWatch.js';
import { userWatchUpgrade } from './ws/userWatchUpgrade.js';
import { resolveWebSocketLimits, type WebSocketLimits } from './ws/webSocketLimits.js';

export interface ServerOptions {
  /** Structured logger; default: a silent one. */
  readonly logger?: Logger;
  /** Largest accepted request body, as bytes or a string such as `'100kb'`. */
  readonly bodyLimit?: string | number;
  /** Node server timeouts applied by `attach` (milliseconds). */
  readonly timeouts?: Partial<ServerTimeouts>;
  /** Limits of the `/user-watch` WebSocket endpoint; see `DEFAULT_WEB_SOCKET_LIMITS`. */
  readonly webSocket?: Partial<WebSocketLimits>;
}

export interface ServerTimeouts {
  /** Time allowed to receive a request's headers. */
  readonly headersTimeoutMs: number;
  /** Time allowed to receive a whole request. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

export interface PlazaServer {
  /** The Koa application; mount it, or serve `app.callback()`. */
  readonly app: Koa;
  /**
   * Applies Plaza's timeouts to a Node HTTP server that serves `app.callback()`, and serves
   * the `/user-watch` WebSocket endpoint on it.
   */
  readonly attach: (server: Server) => void;
  /**
   * Closes every `/user-watch` socket (code 1001), stops its timers and leaves the event bus.
   * Call it before `server.close()`, which otherwise waits for upgraded sockets forever.
   */
  readonly close: () => Promise<void>;
}

/**
 * The HTTP contract and the `/user-watch` WebSocket endpoint over a Plaza instance. It never
 * listens: the caller owns the server. Throws when an option cannot work.
 *
 * @example
 * const { app, attach, close } = createServer(plaza, { logger })
 * const server = http.createServer(app.callback()); attach(server); server.listen(8000)
 */
export function createServer(plaza: Plaza, options: ServerOptions = {}): PlazaServer {
  const logger = options.logger ?? pino({ enabled: false });
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const userWatch = new UserWatch({
    plaza,
    logger,
    limits: resolveWebSocketLimits(options.webSocket),
  });
  const app = new Koa();
  app.silent = true;

  const router = new Router();
  healthRoutes(router, plaza);
  authRoutes(router, plaza);
  userRoutes(router, plaza);
  postRoutes(router, plaza);

  app.use(requestLog(logger));
  app.use(securityHeaders());
  app.use(errorHandler(logger));
  app.use(unmatchedRoutes());
  app.use(bodyParser(options.bodyLimit ?? DEFAULT_BODY_LIMIT));
  app.use(router.routes());
  app.use(router.allowedMethods());

  return {
    app,
    attach: (server) => {
      server.headersTimeout = timeouts.headersTimeoutMs;
      server.requestTimeout = timeouts.requestTimeoutMs;
      server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
      server.on('upgrade', userWatchUpgrade(userWatch));
    },
    close: () => userWatch.close(),
  };
}
