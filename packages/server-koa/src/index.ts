export {
  createServer,
  DEFAULT_TIMEOUTS,
  type PlazaServer,
  type ServerOptions,
  type ServerTimeouts,
} from './app.js';
export { HTTP_STATUS, INTERNAL_ERROR_CODE, type ErrorBody } from './middleware/errors.js';
export { serve, type RunningServer, type ServeOptions } from './serve.js';
export { createLogger, type LoggerOptions } from './logger.js';
export { serverOptionsFromEnv, loadSettings, type Settings } from './settings.js';
