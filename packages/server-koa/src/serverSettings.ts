import { PLAZA_SETTINGS, type SettingDescription } from '@plaza/core/host';
import { DEFAULT_TIMEOUTS } from './app.js';
import { DEFAULT_CONNECTION_LIMITS } from './ConnectionLimiter.js';
import { DEFAULT_BODY_LIMIT } from './middleware/body.js';
import { DEFAULT_RATE_LIMITS } from './middleware/rateLimit.js';
import { DEFAULT_WEB_SOCKET_LIMITS } from './ws/webSocketLimits.js';

export const DEFAULT_PORT = 8000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_LOG_LEVEL = 'info';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

const ws = DEFAULT_WEB_SOCKET_LIMITS;
const rates = DEFAULT_RATE_LIMITS;

const OWN_SETTINGS: readonly SettingDescription[] = [
  {
    key: 'PORT',
    default: String(DEFAULT_PORT),
    meaning: 'the port to listen on (0: any free one)',
  },
  { key: 'HOST', default: DEFAULT_HOST, meaning: 'the address to listen on' },
  {
    key: 'LOG_LEVEL',
    default: DEFAULT_LOG_LEVEL,
    meaning: `${LOG_LEVELS.join(', ')}; JSON lines on stdout; where it listens: at any but silent`,
  },
  {
    key: 'BODY_LIMIT',
    default: DEFAULT_BODY_LIMIT,
    meaning: 'largest request body (JSON or form); larger: 413',
  },
  {
    key: 'HEADERS_TIMEOUT_MS',
    default: String(DEFAULT_TIMEOUTS.headersTimeoutMs),
    meaning: "how long a client may take to send a request's headers",
  },
  {
    key: 'REQUEST_TIMEOUT_MS',
    default: String(DEFAULT_TIMEOUTS.requestTimeoutMs),
    meaning: 'how long a client may take to send a whole request',
  },
  {
    key: 'MAX_REQUESTS_PER_CONNECTION',
    default: String(DEFAULT_CONNECTION_LIMITS.maxRequestsPerConnection),
    meaning: 'requests one connection may make; the last answer closes it (0: no limit)',
  },
  {
    key: 'MAX_IN_FLIGHT_PER_CONNECTION',
    default: String(DEFAULT_CONNECTION_LIMITS.maxInFlightPerConnection),
    meaning: 'pipelined requests of one connection handled at once; the rest wait, unread',
  },
  {
    key: 'SHUTDOWN_TIMEOUT_MS',
    default: String(DEFAULT_SHUTDOWN_TIMEOUT_MS),
    meaning: 'on SIGTERM or SIGINT, how long requests in flight may finish',
  },
  {
    key: 'CORS_ORIGINS',
    default: 'none (no CORS; /user-watch takes browser pages of its own host only)',
    meaning: 'comma-separated origins (https://app.example.com) or *',
  },
  {
    key: 'TRUST_PROXY',
    default: "false (the socket's address; X-Forwarded-For ignored)",
    meaning: 'true (one proxy) or the number of proxies in front of the server',
  },
  {
    key: 'SIGNUP_PER_IP_PER_MINUTE',
    default: String(rates.signUpsPerIpPerMinute),
    meaning: 'sign-ups per client address; more get RAT_01 (0: no limit)',
  },
  {
    key: 'WRITES_PER_USER_PER_MINUTE',
    default: String(rates.writesPerUserPerMinute),
    meaning: 'posts, likes, unlikes and enrichment requests per user; more get RAT_01',
  },
  {
    key: 'WRITES_PER_IP_PER_MINUTE',
    default: String(rates.writesPerIpPerMinute),
    meaning: 'the same writes per client address; more get RAT_01',
  },
  {
    key: 'RATE_LIMIT_LOOPBACK',
    default: `${rates.limitLoopback} (loopback clients are exempt from the two above)`,
    meaning: 'true: the sign-up and write limits count loopback clients too',
  },
  {
    key: 'WS_AUTH_TIMEOUT_MS',
    default: String(ws.authTimeoutMs),
    meaning: 'how long a /user-watch socket may take to authenticate',
  },
  {
    key: 'WS_PING_INTERVAL_MS',
    default: String(ws.pingIntervalMs),
    meaning: 'how often /user-watch sockets are pinged; one silent since the last ping is cut off',
  },
  {
    key: 'WS_MAX_BUFFERED_BYTES',
    default: String(ws.maxBufferedBytes),
    meaning: 'bytes waiting to be sent to a /user-watch socket before it is cut off',
  },
  {
    key: 'WS_MAX_SOCKETS_PER_USER',
    default: String(ws.maxSocketsPerUser),
    meaning: "a user's open /user-watch sockets; one more is closed at authentication",
  },
  {
    key: 'WS_MESSAGES_PER_SECOND',
    default: String(ws.messagesPerSecond),
    meaning: 'messages (pings too) a /user-watch socket may send per second; past it: 1008',
  },
  {
    key: 'WS_MESSAGE_BURST',
    default: String(ws.messageBurst),
    meaning: 'messages a /user-watch socket may send at once above that rate',
  },
];

/**
 * Every key `plaza-server` reads, the core's included, with its default and meaning: what
 * `--help` prints and what a settings file is checked against.
 */
export const SERVER_SETTINGS: readonly SettingDescription[] = [...OWN_SETTINGS, ...PLAZA_SETTINGS];
