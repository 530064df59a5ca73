/**
 * The bounds every `/user-watch` socket lives within.
 *
 * @example const strict: Partial<WebSocketLimits> = { authTimeoutMs: 2000, maxSocketsPerUser: 4 }
 */
export interface WebSocketLimits {
  /** A socket that has not authenticated by then is closed with 1008. */
  readonly authTimeoutMs: number;
  /** Largest message a client may send; larger ones close the socket with 1009. */
  readonly maxFrameBytes: number;
  /** How often every socket is pinged; a peer that missed the previous ping is dropped. */
  readonly pingIntervalMs: number;
  /** Bytes a socket may have waiting to be sent before it is dropped as a slow consumer. */
  readonly maxBufferedBytes: number;
  /** Authenticated sockets one user may hold at once. */
  readonly maxSocketsPerUser: number;
  /**
   * Messages (pings included) a socket may send per second, on average; a socket that sends
   * more than `messageBurst` beyond that rate is closed with 1008. Clients send one
   * authentication message per connection (and one per token change).
   */
  readonly messagesPerSecond: number;
  /** Messages a socket may send at once, above `messagesPerSecond`. */
  readonly messageBurst: number;
}

/**
 * What `createServer` uses for each limit it is not given.
 *
 * @example const twice = DEFAULT_WEB_SOCKET_LIMITS.pingIntervalMs * 2
 */
export const DEFAULT_WEB_SOCKET_LIMITS: WebSocketLimits = {
  authTimeoutMs: 10_000,
  maxFrameBytes: 4096,
  pingIntervalMs: 30_000,
  maxBufferedBytes: 256 * 1024,
  maxSocketsPerUser: 16,
  messagesPerSecond: 5,
  messageBurst: 20,
};

/** Node's timers overflow past this (about 24.8 days) and fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

const LIMIT_NAMES = Object.keys(DEFAULT_WEB_SOCKET_LIMITS);

/**
 * Fills in the defaults and refuses what cannot work, naming the option.
 *
 * @example const limits = resolveWebSocketLimits({ authTimeoutMs: 5000 })
 */
export function resolveWebSocketLimits(given: Partial<WebSocketLimits> = {}): WebSocketLimits {
  const limits: Record<string, number> = { ...DEFAULT_WEB_SOCKET_LIMITS };
  for (const [name, value] of Object.entries(given) as [string, unknown][]) {
    if (!LIMIT_NAMES.includes(name)) {
      throw new Error(
        `webSocket.${name} is not a limit; the limits are ${LIMIT_NAMES.join(', ')}.`,
      );
    }
    // JavaScript callers may pass `undefined` for "the default".
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
      throw new Error(`webSocket.${name} must be a positive whole number; it is ${shown}.`);
    }
    if (name.endsWith('Ms') && value > MAX_TIMER_MS) {
      throw new Error(`webSocket.${name} must be at most ${MAX_TIMER_MS} milliseconds.`);
    }
    limits[name] = value;
  }
  return limits as unknown as WebSocketLimits;
}
