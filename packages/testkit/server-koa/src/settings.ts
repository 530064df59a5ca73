import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError, type PlazaOptions } from '@plaza/core';
import {
  definedOnly,
  plazaOptionsFromEnv,
  readSetting,
  type Setting,
  settingOrDefault,
} from '@plaza/core/host';
import type { ServerTimeouts } from './app.js';
import type { ConnectionLimits } from './ConnectionLimiter.js';
import type { WebSocketLimits } from './ws/webSocketLimits.js';
import type { RateLimits } from './middleware/rateLimit.js';
import type { CorsOptions } from './OriginPolicy.js';
import { isSetting, nearestSetting, notASetting } from './unknownSettings.js';
import { SERVER_SETTING, type LogFormat } from './serverSettings.js';

/** Everything the CLI needs to run a server. */
export interface Settings {
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  /** LOG_FORMAT; absent: pretty on a terminal, else JSON (the CLI decides). */
  readonly logFormat?: LogFormat;
  readonly bodyLimit: string;
  readonly shutdownTimeoutMs: number;
  readonly timeouts: Partial<ServerTimeouts>;
  readonly webSocket: Partial<WebSocketLimits>;
  /** TRUST_PROXY: how many proxies' `X-Forwarded-For` entries are believed (0: none). */
  readonly trustProxy: number;
  readonly rateLimits: Partial<RateLimits>;
  readonly connections: Partial<ConnectionLimits>;
  /** From CORS_ORIGINS; absent: no CORS. */
  readonly cors?: CorsOptions;
  readonly plaza: PlazaOptions;
}

type Env = Readonly<Record<string, string | undefined>>;

const S = SERVER_SETTING;

/**
 * Reads the server's own keys (PORT, HOST, LOG_LEVEL, BODY_LIMIT, …) besides the core's, as
 * `SERVER_SETTINGS` declares them. Throws a ConfigError naming the key when a value cannot work.
 *
 * @example serverOptionsFromEnv({ PORT: '8080' }).port // 8080
 */
export function serverOptionsFromEnv(env: Env): Settings {
  const read = <T>(setting: Setting<T>): T | undefined => readSetting(env, setting);
  // Read in this order, so that of several bad values the same one is reported as before.
  const logLevel = settingOrDefault(env, S.LOG_LEVEL);
  const logFormat = read(S.LOG_FORMAT);
  const bodyLimit = settingOrDefault(env, S.BODY_LIMIT);
  const timeouts = definedOnly({
    headersTimeoutMs: read(S.HEADERS_TIMEOUT_MS),
    requestTimeoutMs: read(S.REQUEST_TIMEOUT_MS),
  });
  const origins = read(S.CORS_ORIGINS);
  return {
    port: settingOrDefault(env, S.PORT),
    host: settingOrDefault(env, S.HOST),
    logLevel,
    ...(logFormat === undefined ? {} : { logFormat }),
    bodyLimit,
    shutdownTimeoutMs: settingOrDefault(env, S.SHUTDOWN_TIMEOUT_MS),
    timeouts,
    webSocket: definedOnly({
      authTimeoutMs: read(S.WS_AUTH_TIMEOUT_MS),
      pingIntervalMs: read(S.WS_PING_INTERVAL_MS),
      maxBufferedBytes: read(S.WS_MAX_BUFFERED_BYTES),
      maxSocketsPerUser: read(S.WS_MAX_SOCKETS_PER_USER),
      messagesPerSecond: read(S.WS_MESSAGES_PER_SECOND),
      messageBurst: read(S.WS_MESSAGE_BURST),
    }),
    trustProxy: settingOrDefault(env, S.TRUST_PROXY),
    rateLimits: definedOnly({
      signUpsPerIpPerMinute: read(S.SIGNUP_PER_IP_PER_MINUTE),
      writesPerUserPerMinute: read(S.WRITES_PER_USER_PER_MINUTE),
      writesPerIpPerMinute: read(S.WRITES_PER_IP_PER_MINUTE),
      limitLoopback: read(S.RATE_LIMIT_LOOPBACK),
    }),
    connections: definedOnly({
      maxRequestsPerConnection: read(S.MAX_REQUESTS_PER_CONNECTION),
      maxInFlightPerConnection: read(S.MAX_IN_FLIGHT_PER_CONNECTION),
    }),
    ...(origins === undefined ? {} : { cors: { origins } }),
    plaza: plazaOptionsFromEnv(env),
  };
}

/**
 * Merges the configuration sources, later ones winning: a `--config` JSON file, then a
 * `.env` file in the working folder, then the process environment. Every key of the JSON
 * file must be a setting. A `.env` file may serve other tools too: only its keys close to a
 * setting's name (PROT, port) are reported, to `onWarning`.
 */
export function loadSettings(options: {
  readonly env: Env;
  readonly configFile?: string;
  readonly dotenvFile?: string;
  readonly onWarning?: (message: string) => void;
}): Settings {
  const merged: Record<string, string | undefined> = {};
  if (options.configFile !== undefined) {
    const fromFile = readJsonConfig(options.configFile);
    const unknown = Object.keys(fromFile).find((key) => !isSetting(key));
    if (unknown !== undefined) throw new ConfigError(notASetting(unknown, options.configFile));
    Object.assign(merged, fromFile);
  }
  if (options.dotenvFile !== undefined) {
    const fromDotenv = readDotenv(options.dotenvFile);
    for (const key of Object.keys(fromDotenv)) {
      if (!isSetting(key) && nearestSetting(key) !== undefined) {
        options.onWarning?.(notASetting(key, options.dotenvFile));
      }
    }
    Object.assign(merged, fromDotenv);
  }
  Object.assign(merged, options.env);
  return serverOptionsFromEnv(merged);
}

function readJsonConfig(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read the config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`The config file ${path} must hold a JSON object of settings.`);
  }
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(`${key} in ${path} must be a string, number or boolean.`);
    }
    settings[key] = String(value);
  }
  return settings;
}

function readDotenv(path: string): Record<string, string> {
  try {
    return parseDotenv(readFileSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`Cannot read ${path}: ${(error as Error).message}`);
  }
}
