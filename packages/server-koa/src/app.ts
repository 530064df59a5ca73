import type { RequestListener, Server } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { pino, type Logger } from 'pino';
import type { Plaza } from '@plaza/core';
import { bodyParser, DEFAULT_BODY_LIMIT } from './middleware/body.js';
import { trustedHops, type TrustProxy } from './middleware/clientIp.js';
import { cors } from './middleware/cors.js';
import { connectionRefusals } from './middleware/connectionRefusals.js';
import { answerClientErrors } from './middleware/clientErrors.js';
import { errorHandler } from './middleware/errors.js';
import { protocolChecks } from './middleware/protocolChecks.js';
import { rateLimiters, resolveRateLimits, type RateLimits } from './middleware/rateLimit.js';
import { unmatchedRoutes } from './middleware/unmatchedRoutes.js';
import { requestLog } from './middleware/requestLog.js';
import { securityHeaders } from './middleware/securityHeaders.js';
import { authRoutes } from './routes/authRoutes.js';
import { commentRoutes } from './routes/commentRoutes.js';
import { docsRoutes } from './routes/docsRoutes.js';
import { healthRoutes } from './routes/healthRoutes.js';
import { postRoutes } from './routes/postRoutes.js';
import { accountRoutes } from './routes/accountRoutes.js';
import { activityRoutes } from './routes/activityRoutes.js';
import { sessionRoutes } from './routes/sessionRoutes.js';
import { inboxRoutes } from './routes/inboxRoutes.js';
import { profileRoutes } from './routes/profileRoutes.js';
import { analyticsRoutes } from './routes/analyticsRoutes.js';
import { userRoutes } from './routes/userRoutes.js';
import { OriginPolicy, type CorsOptions } from './OriginPolicy.js';
import {
  ConnectionLimiter,
  resolveConnectionLimits,
  type ConnectionLimits,
} from './ConnectionLimiter.js';
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
  /**
   * Origins whose pages may call the API and open `/user-watch`; default: no CORS, and
   * browser WebSocket pages only from the server's own host. See `CorsOptions`.
   */
  readonly cors?: CorsOptions;
  /**
   * Proxies in front of the server whose `X-Forwarded-For` is believed: `true` (one) or
   * their number; the client is the address the outermost trusted proxy saw. Default
   * `false`: the socket's address, `X-Forwarded-For` ignored.
   */
  readonly trustProxy?: TrustProxy;
  /** Sign-up and write rates (RAT_01); see `DEFAULT_RATE_LIMITS`. */
  readonly rateLimits?: Partial<RateLimits>;
  /** Requests per connection, and at once per connection; see `DEFAULT_CONNECTION_LIMITS`. */
  readonly connections?: Partial<ConnectionLimits>;
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
   * Applies Plaza's timeouts and connection limits to a Node HTTP server that serves
   * `app.callback()` (its request listeners are wrapped: add them first), and serves the
   * `/user-watch` WebSocket endpoint on it. Call it before `server.listen()`. Requests
   * Node cannot read get SPEC's error format and an `X-Request-Id`; Node's own refusal of an
   * HTTP/1.1 request without Host, or with an `Expect` other than `100-continue`, is turned
   * off so that the app refuses them the same way (a host app's other routes see them too).
   */
  readonly attach: (server: Server) => void;
  /**
   * Closes every `/user-watch` socket (code 1001), stops its timers and leaves the event bus;
   * a connection pipelining requests starts no more of them, and is ended once those under
   * way are answered. Call it before `server.close()`, which otherwise waits for upgraded
   * sockets forever.
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
  const origins = OriginPolicy.of(options.cors);
  const userWatch = new UserWatch({
    plaza,
    logger,
    limits: resolveWebSocketLimits(options.webSocket),
  });
  const connections = new ConnectionLimiter(resolveConnectionLimits(options.connections));
  const limits = rateLimiters(resolveRateLimits(options.rateLimits), plaza.rateLimits);
  const app = new Koa();
  app.silent = true;
  // Koa's ctx.ip then takes the hops-th address from the right of X-Forwarded-For.
  const hops = trustedHops(options.trustProxy);
  app.proxy = hops > 0;
  app.maxIpsCount = hops;

  const router = new Router();
  healthRoutes(router, plaza);
  authRoutes(router, plaza);
  userRoutes(router, plaza, limits);
  postRoutes(router, plaza, limits);
  accountRoutes(router, plaza, limits);
  sessionRoutes(router, plaza, limits);
  inboxRoutes(router, plaza, limits);
  commentRoutes(router, plaza, limits);
  profileRoutes(router, plaza, limits);
  analyticsRoutes(router, plaza);
  activityRoutes(router, plaza);
  docsRoutes(router, plaza);

  app.use(requestLog(logger));
  app.use(securityHeaders());
  // Above the error handler, so that pages of allowed origins can read error answers too.
  if (origins.corsEnabled) app.use(cors(origins));
  app.use(errorHandler(logger));
  app.use(connectionRefusals((request) => connections.isRefused(request)));
  app.use(protocolChecks());
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
      const interval = checkingIntervalFor(timeouts);
      if (interval !== undefined) {
        if (server.listening) logger.warn({}, 'attach() after listen(): timeouts checked late');
        (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
          interval;
      }
      // Every request goes through the connection limits, the app's and a host app's alike.
      const listeners = server.listeners('request') as RequestListener[];
      server.removeAllListeners('request');
      server.on(
        'request',
        connections.wrap(function callListeners(request, response) {
          for (const listener of listeners) listener.call(server, request, response);
        }),
      );
      server.on('upgrade', userWatchUpgrade(userWatch, origins));
      server.on('clientError', answerClientErrors(logger));
      // Node itself answers an HTTP/1.1 request without Host and an Expect it cannot meet,
      // with neither a request id nor a body; both go on to the app, whose protocolChecks
      // answer them like any other refusal.
      (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;
      server.on('checkExpectation', function passExpectationOn(request, response) {
        server.emit('request', request, response);
      });
    },
    close: () => {
      connections.stop();
      return userWatch.close();
    },
  };
}

/**
 * Node enforces the headers and request timeouts on a timer, every 30 s by default, so a
 * client could trickle for that much longer. A connection is cut at the first check after
 * its deadline, up to a period later, and later still on a busy machine: checking every
 * tenth of the shorter timeout cut clients past the tenth SECURITY.md promises (10 s: up to
 * 11.1 s quiet, 11.9 s busy). A fortieth, at most 100 ms (each check walks only the
 * connections with a request under way), leaves the rest of the tenth to a busy machine.
 * Node starts that timer on `listening`, so it has to be set before `listen()`.
 */
function checkingIntervalFor(timeouts: ServerTimeouts): number | undefined {
  const deadlines = [timeouts.headersTimeoutMs, timeouts.requestTimeoutMs].filter((ms) => ms > 0);
  if (deadlines.length === 0) return undefined;
  return Math.max(10, Math.min(100, Math.floor(Math.min(...deadlines) / 40)));
}
