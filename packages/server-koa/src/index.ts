export {
  createServer,
  DEFAULT_TIMEOUTS,
  type PlazaServer,
  type ServerOptions,
  type ServerTimeouts,
} from './app.js';
export {
  DEFAULT_WEB_SOCKET_LIMITS,
  resolveWebSocketLimits,
  type WebSocketLimits,
} from './ws/webSocketLimits.js';
export { USER_WATCH_PATH } from './ws/userWatchUpgrade.js';
export { TOKEN_REVOKED_CLOSE_CODE, ACCOUNT_DELETED_CLOSE_CODE } from './ws/UserWatch.js';
export { ANY_ORIGIN, type CorsOptions } from './OriginPolicy.js';
export { HTTP_STATUS, INTERNAL_ERROR_CODE, type ErrorBody } from './middleware/errors.js';
export { DEFAULT_RATE_LIMITS, type RateLimits } from './middleware/rateLimit.js';
export { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './ConnectionLimiter.js';
export type { TrustProxy } from './middleware/clientIp.js';
export { serve, type RunningServer, type ServeOptions } from './serve.js';
export { createLogger, type LoggerOptions } from './logger.js';
export { serverOptionsFromEnv, loadSettings, type Settings } from './settings.js';
export { SERVER_SETTINGS, SERVER_SETTING, type LogFormat } from './serverSettings.js';
export { openApiDocument, type OpenApiDocument } from './openapi/openApiDocument.js';
export {
  ROUTES,
  USER_WATCH_ROUTE,
  WIRE_SCHEMAS,
  type RouteAuth,
  type RouteDeclaration,
  type RouteName,
} from './routes/catalog.js';
