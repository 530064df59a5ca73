import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import {
  ConfigError,
  definedOnly,
  integerSetting,
  plazaOptionsFromEnv,
  type PlazaOptions,
} from '@plaza/core';
import type { ServerTimeouts } from './app.js';
import type { WebSocketLimits } from './ws/webSocketLimits.js';
import { DEFAULT_BODY_LIMIT } from './middleware/body.js';

/** Everything the CLI needs to run a server. */
export interface Settings {
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly bodyLimit: string;
  readonly shutdownTimeoutMs: number;
  readonly timeouts: Partial<ServerTimeouts>;
  readonly webSocket: Partial<WebSocketLimits>;
  readonly plaza: PlazaOptions;
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const BODY_LIMIT = /^[0-9]+(?:b|kb|mb)?$/i;

/** Reads the server's own keys (PORT, HOST, LOG_LEVEL, BODY_LIMIT, …) besides the core's. */
export function serverOptionsFromEnv(env: Env): Settings {
  const logLevel = env['LOG_LEVEL']?.trim() || 'info';
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
  return {
    port: integerSetting(env, 'PORT', 0, 65_535) ?? 8000,
    host: env['HOST']?.trim() || '127.0.0.1',
    logLevel,
    bodyLimit,
    shutdownTimeoutMs: integerSetting(env, 'SHUTDOWN_TIMEOUT_MS', 0, 600_000) ?? 10_000,
    timeouts: {
      ...(headersTimeoutMs === undefined ? {} : { headersTimeoutMs }),
      ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
    },
    webSocket: definedOnly({
      authTimeoutMs: integerSetting(env, 'WS_AUTH_TIMEOUT_MS', 100, 600_000),
      pingIntervalMs: integerSetting(env, 'WS_PING_INTERVAL_MS', 1000, 3_600_000),
      maxBufferedBytes: integerSetting(env, 'WS_MAX_BUFFERED_BYTES', 4096, 64 * 1024 * 1024),
      maxSocketsPerUser: integerSetting(env, 'WS_MAX_SOCKETS_PER_USER', 1, 10_000),
    }),
    plaza: plazaOptionsFromEnv(env),
  };
}

/**
 * Merges the configuration sources, later ones winning: a `--config` JSON file, then a
 * `.env` file in the working folder, then the process environment.
 */
export function loadSettings(options: {
  readonly env: Env;
  readonly configFile?: string;
  readonly dotenvFile?: string;
}): Settings {
  const merged: Record<string, string | undefined> = {};
  if (options.configFile !== undefined) Object.assign(merged, readJsonConfig(options.configFile));
  if (options.dotenvFile !== undefined) Object.assign(merged, readDotenv(options.dotenvFile));
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
