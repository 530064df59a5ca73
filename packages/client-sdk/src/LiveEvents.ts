import { PlazaApiError, PlazaNetworkError } from './errors.js';
import {
  SERVER_EVENT_TYPES,
  type ConnectionState,
  type LiveEventListener,
  type LiveEventMap,
  type LiveEventType,
} from './liveEventTypes.js';
import type { TokenStore, Unsubscribe } from './TokenStore.js';
import { OPEN, type WebSocketConstructor, type WebSocketLike } from './webSocketLike.js';

export interface ReconnectSettings {
  /** The first wait after a drop; each later one doubles, up to `maxDelayMs`, with jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface LiveEventsSettings {
  /** The `ws:` or `wss:` URL of `/user-watch?format=json`. */
  readonly url: string;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly tokens: TokenStore;
  /** How long a connection may take to be authenticated. */
  readonly connectTimeoutMs: number;
  readonly reconnect: ReconnectSettings;
}

const NORMAL_CLOSURE = 1000;
/** The server's close code for the sockets of a deleted account: nothing to reconnect to. */
const ACCOUNT_DELETED = 4002;
const SERVER_EVENTS: ReadonlySet<string> = new Set(SERVER_EVENT_TYPES);

/**
 * The live events of the signed-in user over `/user-watch?format=json`: one socket,
 * re-authenticated when the token changes, re-opened with backoff when it drops. Each
 * (re)authentication resumes after the last inbox id seen, so the server first sends what was
 * missed meanwhile: every event is emitted once, in order, across reconnects.
 *
 * @example await client.events.connect(); client.events.on('post.liked', (e) => show(e.likes))
 */
export class LiveEvents {
  readonly #settings: LiveEventsSettings;
  readonly #listeners = new Map<LiveEventType, Set<(event: never) => void>>();
  #state: ConnectionState = 'idle';
  #socket: WebSocketLike | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #failedAttempts = 0;
  #stopWatchingToken: Unsubscribe | undefined;
  /** Tokens sent on the current socket and not answered yet; the server answers in order. */
  #unanswered: string[] = [];
  /** The token the server last accepted ('ready'). */
  #acceptedToken: string | undefined;
  /** `connect()` calls waiting for the next 'ready'. */
  #readyWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  /**
   * The newest inbox id seen (or skipped) and whose inbox it is: sent as `since` on every
   * (re)authentication, so the server sends what was missed, and an event is emitted once.
   */
  #inbox: { userId: number; lastId: number } | undefined;
  /** The inbox's newest id when the server said ready: later events count as unread. */
  #unreadFrom = 0;
  #unread: number | undefined;
  /** The user changed at the last ready: what the server replays is of another inbox. */
  #switchedUser = false;

  constructor(settings: LiveEventsSettings) {
    this.#settings = settings;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Opens the connection and resolves once the server has accepted the token. Rejects with
   * AUT_01 if it refuses it, or a network error if the server cannot be reached; after the
   * first success, drops are repaired on their own.
   */
  connect(): Promise<void> {
    if (this.#state === 'open') return Promise.resolve();
    if (this.#state === 'connecting' || this.#state === 'reconnecting') {
      return this.#nextReady();
    }
    this.#stopWatchingToken ??= this.#settings.tokens.onChange((token) =>
      this.#tokenChanged(token),
    );
    const ready = this.#nextReady();
    this.#open('connecting');
    return ready;
  }

  /** Calls `listener` for every event of `type` until the returned function is called. */
  on<K extends LiveEventType>(type: K, listener: LiveEventListener<K>): Unsubscribe {
    let listeners = this.#listeners.get(type);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(type, listeners);
    }
    const registered = (event: LiveEventMap[K]): void => listener(event);
    listeners.add(registered);
    return () => listeners.delete(registered);
  }

  /** Closes the connection for good (until `connect()` is called again). */
  close(): void {
    this.#stopWatchingToken?.();
    this.#stopWatchingToken = undefined;
    clearTimeout(this.#reconnectTimer);
    this.#state = 'closed';
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(NORMAL_CLOSURE, 'client closed');
    // A connect() still waiting would otherwise wait for ever.
    const closed = new Error('The live events connection was closed before it was ready.');
    for (const waiter of this.#readyWaiters.splice(0)) waiter.reject(closed);
  }

  #open(state: 'connecting' | 'reconnecting'): void {
    const token = this.#settings.tokens.get();
    const WebSocketClass = this.#settings.WebSocket;
    if (token === undefined) {
      this.#giveUp(notSignedIn());
      return;
    }
    if (WebSocketClass === undefined) {
      this.#giveUp(
        new TypeError(
          'This runtime has no WebSocket; pass one as createClient(url, { WebSocket }).',
        ),
      );
      return;
    }
    this.#state = state;
    const socket = new WebSocketClass(this.#settings.url);
    this.#socket = socket;
    this.#unanswered = [];
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      socket.close(NORMAL_CLOSURE, 'not ready in time');
    }, this.#settings.connectTimeoutMs);
    // The token of now, not of when the socket was made: it may have changed meanwhile.
    socket.addEventListener('open', () => {
      const current = this.#settings.tokens.get();
      if (socket === this.#socket && current !== undefined) this.#sendAuth(socket, current);
    });
    socket.addEventListener('message', ({ data }) => {
      if (socket !== this.#socket) return;
      if (this.#handle(data)) clearTimeout(deadline);
    });
    socket.addEventListener('close', ({ code, reason }) => {
      clearTimeout(deadline);
      if (socket !== this.#socket) return;
      this.#socket = undefined;
      this.#dropped(code, reason, timedOut);
    });
    socket.addEventListener('error', () => {
      // A 'close' event always follows; that is where the drop is handled.
    });
  }

  /** Returns true once the socket is ready. */
  #handle(data: unknown): boolean {
    const message = parseMessage(data);
    if (message === undefined) return false;
    const { type } = message;
    if (type === 'ready' && typeof message['user_id'] === 'number') {
      this.#acceptedToken = this.#unanswered.shift();
      this.#state = 'open';
      this.#failedAttempts = 0;
      const userId = message['user_id'];
      const lastId = typeof message['last_id'] === 'number' ? message['last_id'] : 0;
      // Another user's inbox (or the first ready): from its newest entry on.
      this.#switchedUser = this.#inbox !== undefined && this.#inbox.userId !== userId;
      if (this.#inbox === undefined || this.#switchedUser) this.#inbox = { userId, lastId };
      this.#unreadFrom = lastId;
      this.#emit('ready', { user_id: userId });
      if (typeof message['unread'] === 'number') this.#setUnread(message['unread']);
      return true;
    }
    if (type === 'resync') {
      // After a switch of user the old `since` meant nothing here: no need to reload.
      if (!this.#switchedUser && this.#inbox !== undefined) {
        this.#inbox.lastId = this.#unreadFrom;
        this.#emit('resync', { last_id: this.#unreadFrom });
      }
      return this.#state === 'open';
    }
    if (type === 'error') {
      const refused = new PlazaApiError({
        code: 'AUT_01',
        status: 401,
        message: typeof message['message'] === 'string' ? message['message'] : 'Refused.',
        field: 'TOKEN',
      });
      if (message['code'] !== 'AUT_01') return false;
      this.#unanswered.shift();
      // A newer token is on its way (the refused one was revoked, say): wait for its answer.
      if (this.#unanswered.length === 0) this.#giveUp(refused);
      return false;
    }
    if (typeof type === 'string' && SERVER_EVENTS.has(type)) {
      const { type: _type, ...payload } = message;
      const id = payload['id'];
      if (typeof id === 'number' && this.#inbox !== undefined) {
        // Sent again after a reconnect, or replayed from before a switch of user.
        if (id <= this.#inbox.lastId) return this.#state === 'open';
        this.#inbox.lastId = id;
      }
      this.#emit(type as (typeof SERVER_EVENT_TYPES)[number], payload as never);
      if (typeof id === 'number' && id > this.#unreadFrom && this.#unread !== undefined) {
        this.#setUnread(this.#unread + 1);
      }
    }
    return this.#state === 'open';
  }

  #dropped(code: number, reason: string, timedOut: boolean): void {
    if (this.#state === 'closed' || this.#state === 'idle') return;
    if (code === ACCOUNT_DELETED) {
      this.#giveUp(
        new PlazaApiError({
          code: 'AUT_01',
          status: 401,
          message: 'The account was deleted.',
          field: 'TOKEN',
        }),
      );
      return;
    }
    if (this.#state === 'connecting') {
      const { url, connectTimeoutMs } = this.#settings;
      this.#giveUp(
        new PlazaNetworkError(
          timedOut
            ? `${url} was not ready within ${connectTimeoutMs} ms.`
            : `Cannot open ${url} (WebSocket close ${code}).`,
          { timedOut },
        ),
      );
      return;
    }
    const { baseDelayMs, maxDelayMs } = this.#settings.reconnect;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** this.#failedAttempts);
    let retryInMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    const token = this.#settings.tokens.get();
    if (this.#state === 'open' && token !== undefined && token !== this.#acceptedToken) {
      // The server ended a socket of the old token (a password change revokes it at once);
      // the new one is at hand, so there is no reason to wait.
      retryInMs = 0;
    } else {
      this.#failedAttempts += 1;
    }
    this.#state = 'reconnecting';
    // Scheduled before the listeners hear of the drop, so one that calls close() cancels it.
    this.#reconnectTimer = setTimeout(() => this.#open('reconnecting'), retryInMs);
    this.#emit('disconnected', { code, reason, retryInMs });
  }

  #tokenChanged(token: string | undefined): void {
    const socket = this.#socket;
    if (token === undefined) {
      this.close();
      this.#state = 'idle';
      return;
    }
    if (socket !== undefined && socket.readyState === OPEN) {
      this.#sendAuth(socket, token);
    } else if (socket === undefined && this.#state === 'reconnecting') {
      // Waiting to retry, maybe because the old token was revoked: try the new one now.
      clearTimeout(this.#reconnectTimer);
      this.#open('reconnecting');
    }
  }

  #sendAuth(socket: WebSocketLike, token: string): void {
    this.#unanswered.push(token);
    socket.send(authFrame(token, this.#inbox?.lastId ?? null));
  }

  /** The unread count is now `unread` (the inbox's answer to a read mark, say). */
  setUnread(unread: number): void {
    this.#setUnread(unread);
  }

  #setUnread(unread: number): void {
    if (unread === this.#unread) return;
    this.#unread = unread;
    this.#emit('unread', { unread });
  }

  /** Ends the connection after a failure that trying again will not fix. */
  #giveUp(error: PlazaApiError | PlazaNetworkError | Error): void {
    const wasConnecting = this.#state === 'connecting';
    const wasLive = this.#state === 'open' || this.#state === 'reconnecting';
    const socket = this.#socket;
    this.#socket = undefined;
    clearTimeout(this.#reconnectTimer);
    this.#state = 'idle';
    socket?.close(NORMAL_CLOSURE, 'giving up');
    // Taken first, so a connect() called by a listener below waits for its own socket.
    const waiters = this.#readyWaiters.splice(0);
    for (const waiter of waiters) waiter.reject(error);
    if (wasLive) {
      this.#emit('disconnected', {
        code: NORMAL_CLOSURE,
        reason: error.message,
        retryInMs: undefined,
      });
    }
    if (!wasConnecting || waiters.length === 0) this.#emit('error', { error });
  }

  #nextReady(): Promise<void> {
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  #emit<K extends LiveEventType>(type: K, event: LiveEventMap[K]): void {
    if (type === 'ready') for (const waiter of this.#readyWaiters.splice(0)) waiter.resolve();
    const listeners = this.#listeners.get(type);
    if (listeners === undefined) return;
    for (const listener of [...listeners]) {
      try {
        (listener as LiveEventListener<K>)(event);
      } catch (error) {
        if (type === 'error') throw error;
        this.#emit('error', { error: error instanceof Error ? error : new Error(String(error)) });
      }
    }
  }
}

function authFrame(token: string, since: number | null): string {
  return JSON.stringify({ type: 'auth', token, since });
}

function parseMessage(data: unknown): Record<string, unknown> | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function notSignedIn(): PlazaApiError {
  return new PlazaApiError({
    code: 'AUT_01',
    status: 401,
    message: 'Sign in before connecting to live events.',
    field: 'TOKEN',
  });
}
