import { accountApi, type AccountApi } from './account.js';
import { analyticsApi, type AnalyticsApi } from './analytics.js';
import { activityApi, type ActivityApi } from './activity.js';
import { feedApi, type FeedApi } from './feed.js';
import { commentsApi, type CommentsApi } from './comments.js';
import { notificationsApi, type NotificationsApi } from './notifications.js';
import { HttpTransport, type FetchFunction } from './http.js';
import { LiveEvents, type ReconnectSettings } from './LiveEvents.js';
import {
  authApi,
  likesApi,
  postsApi,
  usersApi,
  type AuthApi,
  type LikesApi,
  type PostsApi,
  type UsersApi,
} from './namespaces.js';
import { TokenStore } from './TokenStore.js';
import type { WebSocketConstructor } from './webSocketLike.js';

export interface ClientOptions {
  /** Defaults to the global `fetch`. */
  readonly fetch?: FetchFunction;
  /** Defaults to the global `WebSocket`; in Node 20, to the `ws` package. */
  readonly WebSocket?: WebSocketConstructor;
  /** A token from an earlier session. */
  readonly token?: string;
  /**
   * The refresh token kept with `token` (`auth.currentTokens()`), so the client stays signed
   * in past the token's expiry.
   */
  readonly refreshToken?: string;
  /**
   * Refresh the access token on its own: shortly before it expires, and once after an AUT_01
   * answer (then the call is sent again). Default true; needs a refresh token.
   */
  readonly autoRefresh?: boolean;
  /** How long one request, or opening live events, may take. Default 30 s. */
  readonly timeoutMs?: number;
  /** How often an OFF_01 answer (server overloaded; nothing was done) is retried. Default 2. */
  readonly overloadRetries?: number;
  /** Waits between live-event reconnects. Default 500 ms doubling to 30 s. */
  readonly reconnect?: Partial<ReconnectSettings>;
}

export interface PlazaClient {
  readonly auth: AuthApi;
  readonly users: UsersApi;
  readonly posts: PostsApi;
  readonly likes: LikesApi;
  readonly account: AccountApi;
  readonly feed: FeedApi;
  readonly comments: CommentsApi;
  /** Your inbox: every event you were told of, kept; see `events` for the live ones. */
  readonly notifications: NotificationsApi;
  readonly analytics: AnalyticsApi;
  readonly activity: ActivityApi;
  readonly events: LiveEvents;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_OVERLOAD_RETRIES = 2;
const DEFAULT_RECONNECT: ReconnectSettings = { baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * A client of the Plaza server at `baseUrl`.
 *
 * @example const plaza = createClient('http://127.0.0.1:8000'); await plaza.auth.login('ann', pw)
 */
export function createClient(baseUrl: string | URL, options: ClientOptions = {}): PlazaClient {
  const base = normalizedBase(baseUrl);
  const tokens = new TokenStore(
    options.token === undefined
      ? undefined
      : { token: options.token, refresh_token: options.refreshToken },
  );
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const http = new HttpTransport({
    baseUrl: base.href,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    timeoutMs,
    overloadRetries: options.overloadRetries ?? DEFAULT_OVERLOAD_RETRIES,
    token: () => tokens.get(),
  });
  const events = new LiveEvents({
    url: userWatchUrl(base),
    WebSocket: options.WebSocket ?? globalWebSocket(),
    tokens,
    connectTimeoutMs: timeoutMs,
    reconnect: { ...DEFAULT_RECONNECT, ...definedOnly(options.reconnect ?? {}) },
  });
  return {
    auth: authApi(http, tokens, options.autoRefresh ?? true),
    users: usersApi(http),
    posts: postsApi(http),
    likes: likesApi(http),
    account: accountApi(http, tokens),
    feed: feedApi(http),
    comments: commentsApi(http),
    analytics: analyticsApi(http),
    activity: activityApi(http),
    notifications: notificationsApi(http, (unread) => events.setUnread(unread)),
    events,
  };
}

function normalizedBase(baseUrl: string | URL): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`The Plaza server address "${String(baseUrl)}" is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`The Plaza server address must be http: or https:, not ${url.protocol}`);
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function userWatchUrl(base: URL): string {
  const url = new URL('user-watch?format=json', base);
  url.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

function globalWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter((entry) => entry[1] !== undefined),
  ) as Partial<T>;
}
