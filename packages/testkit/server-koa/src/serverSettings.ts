import {
  checkedText,
  declareSettings,
  oneOf,
  onOff,
  PLAZA_SETTINGS,
  type Setting,
  type SettingKind,
  text,
  wholeNumber,
} from '@plaza/core/host';
import { DEFAULT_TIMEOUTS } from './app.js';
import { DEFAULT_CONNECTION_LIMITS } from './ConnectionLimiter.js';
import { DEFAULT_BODY_LIMIT } from './middleware/body.js';
import { DEFAULT_RATE_LIMITS } from './middleware/rateLimit.js';
import { normalizeOrigins } from './OriginPolicy.js';
import { DEFAULT_WEB_SOCKET_LIMITS } from './ws/webSocketLimits.js';

export const DEFAULT_PORT = 8000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_LOG_LEVEL = 'info';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

const ws = DEFAULT_WEB_SOCKET_LIMITS;
const rates = DEFAULT_RATE_LIMITS;
const MILLION = 1_000_000;

const BODY_LIMIT = /^[0-9]+(?:b|kb|mb)?$/i;

/** A size in bytes as koa-body takes it: 100kb, 1mb, 4096. */
const size: SettingKind<string> = checkedText(
  (value) => {
    if (!BODY_LIMIT.test(value)) throw new Error('not a size');
    return value;
  },
  'a size such as `100kb` or `1mb`',
  (key, value) => `${key} must be a size such as 100kb or 1mb; it is "${value}".`,
);

const MAX_TRUSTED_PROXIES = 10;

/** TRUST_PROXY: `false`, `true` (one proxy) or the number of proxies in front. */
const proxyCount: SettingKind<number> = checkedText(
  (value) => {
    const lower = value.toLowerCase();
    if (['false', 'no', 'off'].includes(lower)) return 0;
    if (['true', 'yes', 'on'].includes(lower)) return 1;
    const hops = /^[0-9]{1,2}$/.test(lower) ? Number(lower) : Number.NaN;
    if (!(hops <= MAX_TRUSTED_PROXIES)) throw new Error('not a proxy count');
    return hops;
  },
  `true, false or a whole number from 0 to ${MAX_TRUSTED_PROXIES}`,
  (key, value) =>
    `${key} must be true, false or the number of proxies in front of the server (0 to ${MAX_TRUSTED_PROXIES}); it is "${value.toLowerCase()}".`,
);

/** CORS_ORIGINS: comma-separated exact origins, or `*` alone. */
const originList: SettingKind<string[]> = checkedText(
  (value) =>
    normalizeOrigins(
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    ),
  'comma-separated origins, or `*` alone',
  (key, value, detail) => `${key} ${detail}; it is "${value}".`,
);

/**
 * The server's own keys, declared once: how `serverOptionsFromEnv` reads each, its default and
 * its meaning.
 */
export const SERVER_SETTING = declareSettings({
  PORT: {
    kind: wholeNumber(0, 65_535),
    default: DEFAULT_PORT,
    meaning: 'the port to listen on (`0`: any free one)',
    group: 'HTTP server',
  },
  HOST: {
    kind: text,
    default: DEFAULT_HOST,
    meaning: 'the address to listen on',
    group: 'HTTP server',
  },
  BODY_LIMIT: {
    kind: size,
    default: DEFAULT_BODY_LIMIT,
    meaning: 'largest request body (JSON or form); larger: 413',
    group: 'HTTP server',
  },
  HEADERS_TIMEOUT_MS: {
    kind: wholeNumber(1000, 600_000),
    default: DEFAULT_TIMEOUTS.headersTimeoutMs,
    meaning: "how long a client may take to send a request's headers",
    group: 'HTTP server',
  },
  REQUEST_TIMEOUT_MS: {
    kind: wholeNumber(1000, 3_600_000),
    default: DEFAULT_TIMEOUTS.requestTimeoutMs,
    meaning: 'how long a client may take to send a whole request',
    group: 'HTTP server',
  },
  MAX_REQUESTS_PER_CONNECTION: {
    kind: wholeNumber(0, 1_000_000_000),
    default: DEFAULT_CONNECTION_LIMITS.maxRequestsPerConnection,
    meaning: 'requests one connection may make; the last answer closes it (`0`: no limit)',
    group: 'HTTP server',
  },
  MAX_IN_FLIGHT_PER_CONNECTION: {
    kind: wholeNumber(1, 1000),
    default: DEFAULT_CONNECTION_LIMITS.maxInFlightPerConnection,
    meaning: 'pipelined requests of one connection handled at once; the rest wait, unread',
    group: 'HTTP server',
  },
  SHUTDOWN_TIMEOUT_MS: {
    kind: wholeNumber(0, 600_000),
    default: DEFAULT_SHUTDOWN_TIMEOUT_MS,
    meaning: 'on SIGTERM or SIGINT, how long requests in flight may finish',
    group: 'HTTP server',
  },
  CORS_ORIGINS: {
    kind: originList,
    defaultText: 'none: no CORS; `/user-watch` takes browser pages of its own host only',
    meaning: 'origins (`https://app.example.com`) whose pages may call the API, or `*` for any',
    group: 'HTTP server',
  },
  TRUST_PROXY: {
    kind: proxyCount,
    default: 0,
    defaultText: "no proxy: the socket's address, `X-Forwarded-For` ignored",
    meaning:
      '`true` (one proxy) or the number of proxies in front: the client is the address the outermost saw',
    group: 'HTTP server',
  },
  LOG_LEVEL: {
    kind: oneOf(LOG_LEVELS),
    default: DEFAULT_LOG_LEVEL,
    meaning:
      'the least severe lines written; where the server listens is logged at any but `silent`',
    group: 'Logs',
  },
  LOG_FORMAT: {
    kind: oneOf(LOG_FORMATS),
    defaultText: '`pretty` when standard output is a terminal, else `json`',
    meaning:
      '`json`: one JSON object a line (pino), for machines; `pretty`: a readable line a record, for people',
    group: 'Logs',
  },
  SIGNUP_PER_IP_PER_MINUTE: {
    kind: wholeNumber(0, MILLION),
    default: rates.signUpsPerIpPerMinute,
    meaning: 'sign-ups per client address; more get RAT_01 (`0`: no limit)',
    group: 'Request rates',
  },
  WRITES_PER_USER_PER_MINUTE: {
    kind: wholeNumber(0, MILLION),
    default: rates.writesPerUserPerMinute,
    meaning: 'posts, likes, unlikes and enrichment requests per user; more get RAT_01',
    group: 'Request rates',
  },
  WRITES_PER_IP_PER_MINUTE: {
    kind: wholeNumber(0, MILLION),
    default: rates.writesPerIpPerMinute,
    meaning: 'the same writes per client address; more get RAT_01',
    group: 'Request rates',
  },
  RATE_LIMIT_LOOPBACK: {
    kind: onOff,
    default: rates.limitLoopback,
    defaultText: 'loopback clients are exempt from the sign-up and write limits',
    meaning: '`true`: the sign-up and write limits count loopback clients (127.0.0.0/8, `::1`) too',
    group: 'Request rates',
  },
  WS_AUTH_TIMEOUT_MS: {
    kind: wholeNumber(100, 600_000),
    default: ws.authTimeoutMs,
    meaning: 'how long a `/user-watch` socket may take to authenticate',
    group: 'WebSocket /user-watch',
  },
  WS_PING_INTERVAL_MS: {
    kind: wholeNumber(1000, 3_600_000),
    default: ws.pingIntervalMs,
    meaning:
      'how often `/user-watch` sockets are pinged; one silent since the last ping is cut off',
    group: 'WebSocket /user-watch',
  },
  WS_MAX_BUFFERED_BYTES: {
    kind: wholeNumber(4096, 64 * 1024 * 1024),
    default: ws.maxBufferedBytes,
    meaning: 'bytes waiting to be sent to a `/user-watch` socket before it is cut off',
    group: 'WebSocket /user-watch',
  },
  WS_MAX_SOCKETS_PER_USER: {
    kind: wholeNumber(1, 10_000),
    default: ws.maxSocketsPerUser,
    meaning: "a user's open `/user-watch` sockets; one more is closed at authentication",
    group: 'WebSocket /user-watch',
  },
  WS_MESSAGES_PER_SECOND: {
    kind: wholeNumber(1, 10_000),
    default: ws.messagesPerSecond,
    meaning: 'messages (pings too) a `/user-watch` socket may send per second; past it: 1008',
    group: 'WebSocket /user-watch',
  },
  WS_MESSAGE_BURST: {
    kind: wholeNumber(1, 100_000),
    default: ws.messageBurst,
    meaning: 'messages a `/user-watch` socket may send at once above that rate',
    group: 'WebSocket /user-watch',
  },
});

/**
 * Every key `plaza-server` reads, the core's included: what `--help` prints, what a settings
 * file is checked against, and what `.env.example` and the configuration table are made from.
 */
export const SERVER_SETTINGS: readonly Setting[] = [
  ...Object.values(SERVER_SETTING),
  ...PLAZA_SETTINGS,
];
