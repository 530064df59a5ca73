import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError, type PlazaOptions } from '@plaza/core';
import { booleanSetting, definedOnly, integerSetting, plazaOptionsFromEnv } from '@plaza/core/host';
import type { ServerTimeouts } from './app.js';
import type { ConnectionLimits } from './ConnectionLimiter.js';
import type { WebSocketLimits } from './ws/webSocketLimits.js';
import { DEFAULT_BODY_LIMIT } from './middleware/body.js';
import type { RateLimits } from './middleware/rateLimit.js';
import { normalizeOrigins, type CorsOptions } from './OriginPolicy.js';
import { isSetting, nearestSetting, notASetting } from './unknownSettings.js';
import {
  DEFAULT_HOST,
  DEFAULT_LOG_LEVEL,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  LOG_LEVELS,
} from './serverSettings.js';

/** Everything the CLI needs to run a server. */
export interface Settings {
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
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

const BODY_LIMIT = /^[0-9]+(?:b|kb|mb)?$/i;

/** Reads the server's own keys (PORT, HOST, LOG_LEVEL, BODY_LIMIT, …) besides the core's. */
export function serverOptionsFromEnv(env: Env): Settings {
  const logLevel = env['LOG_LEVEL']?.trim() || DEFAULT_LOG_LEVEL;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; it is "${logLevel}".`,
    );
  }
  const bodyLimit = env['BODY_LIMIT']?.trim() || DEFAULT_BODY_LIMIT;
  if (!BODY_LIMIT.test(bodyLimit)) {
    throw new ConfigError(`BODY_LIMIT must be a size such as 100kb or 1mb; it is "${bodyLimit}".`);
  }
  const headersTimeoutMs = integerSetting(env, 'HEADERS_TIMEOUT_MS', 1000, 600_000);
  const requestTimeoutMs = integerSetting(env, 'REQUEST_TIMEOUT_MS', 1000, 3_600_000);
  const cors = corsSetting(env);
  return {
    port: integerSetting(env, 'PORT', 0, 65_535) ?? DEFAULT_PORT,
    host: env['HOST']?.trim() || DEFAULT_HOST,
    logLevel,
    bodyLimit,
    shutdownTimeoutMs:
      integerSetting(env, 'SHUTDOWN_TIMEOUT_MS', 0, 600_000) ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    timeouts: {
      ...(headersTimeoutMs === undefined ? {} : { headersTimeoutMs }),
      ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
    },
    webSocket: definedOnly({
      authTimeoutMs: integerSetting(env, 'WS_AUTH_TIMEOUT_MS', 100, 600_000),
      pingIntervalMs: integerSetting(env, 'WS_PING_INTERVAL_MS', 1000, 3_600_000),
      maxBufferedBytes: integerSetting(env, 'WS_MAX_BUFFERED_BYTES', 4096, 64 * 1024 * 1024),
      maxSocketsPerUser: integerSetting(env, 'WS_MAX_SOCKETS_PER_USER', 1, 10_000),
      messagesPerSecond: integerSetting(env, 'WS_MESSAGES_PER_SECOND', 1, 10_000),
      messageBurst: integerSetting(env, 'WS_MESSAGE_BURST', 1, 100_000),
    }),
    trustProxy: trustProxySetting(env),
    rateLimits: definedOnly({
      signUpsPerIpPerMinute: integerSetting(env, 'SIGNUP_PER_IP_PER_MINUTE', 0, 1_000_000),
      writesPerUserPerMinute: integerSetting(env, 'WRITES_PER_USER_PER_MINUTE', 0, 1_000_000),
      writesPerIpPerMinute: integerSetting(env, 'WRITES_PER_IP_PER_MINUTE', 0, 1_000_000),
      limitLoopback: booleanSetting(env, 'RATE_LIMIT_LOOPBACK'),
    }),
    connections: definedOnly({
      maxRequestsPerConnection: integerSetting(
        env,
        'MAX_REQUESTS_PER_CONNECTION',
        0,
        1_000_000_000,
      ),
      maxInFlightPerConnection: integerSetting(env, 'MAX_IN_FLIGHT_PER_CONNECTION', 1, 1000),
    }),
    ...(cors === undefined ? {} : { cors }),
    plaza: plazaOptionsFromEnv(env),
  };
}

const MAX_TRUSTED_PROXIES = 10;

/** TRUST_PROXY: `false` (default), `true` (one proxy) or the number of proxies in front. */
function trustProxySetting(env: Env): number {
  const value = env['TRUST_PROXY']?.trim().toLowerCase() ?? '';
  if (['', 'false', 'no', 'off'].includes(value)) return 0;
  if (['true', 'yes', 'on'].includes(value)) return 1;
  const hops = /^[0-9]{1,2}$/.test(value) ? Number(value) : Number.NaN;
  if (!(hops <= MAX_TRUSTED_PROXIES)) {
    throw new ConfigError(
      `TRUST_PROXY must be true, false or the number of proxies in front of the server (0 to ${MAX_TRUSTED_PROXIES}); it is "${value}".`,
    );
  }
  return hops;
}

/** CORS_ORIGINS: comma-separated exact origins, or `*` alone; unset or blank: no CORS. */
function corsSetting(env: Env): CorsOptions | undefined {
  const value = env['CORS_ORIGINS']?.trim();
  if (value === undefined || value === '') return undefined;
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  try {
    return { origins: normalizeOrigins(entries) };
  } catch (error) {
    throw new ConfigError(`CORS_ORIGINS ${(error as Error).message}; it is "${value}".`);
  }
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
