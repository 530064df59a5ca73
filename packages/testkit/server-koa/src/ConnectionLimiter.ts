import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How much one HTTP/1.1 connection may ask of the server. */
export interface ConnectionLimits {
  /**
   * Requests one connection may make; the answer to the last says `Connection: close`, and
   * any request pipelined after it gets OFF_01 (0: no limit).
   */
  readonly maxRequestsPerConnection: number;
  /**
   * Requests of one connection handled at once (answers not yet sent). Pipelined requests
   * past it wait, and the connection is not read, until earlier answers have gone out.
   */
  readonly maxInFlightPerConnection: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxRequestsPerConnection: 1000,
  maxInFlightPerConnection: 4,
};

/**
 * Pipelined requests of one connection that may wait for their turn. Once a connection waits
 * it is no longer read, so only what had already arrived (one read of the socket, up to 64 kB
 * of requests) piles up here; past this many, the connection is refused and closed.
 */
export const MAX_WAITING_PER_CONNECTION = 256;

/** Throws when a limit cannot work. */
export function resolveConnectionLimits(limits: Partial<ConnectionLimits> = {}): ConnectionLimits {
  const resolved = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
  if (
    !Number.isSafeInteger(resolved.maxRequestsPerConnection) ||
    resolved.maxRequestsPerConnection < 0
  ) {
    throw new RangeError('maxRequestsPerConnection must be a whole number, 0 or more.');
  }
  if (
    !Number.isSafeInteger(resolved.maxInFlightPerConnection) ||
    resolved.maxInFlightPerConnection < 1
  ) {
    throw new RangeError('maxInFlightPerConnection must be a whole number, 1 or more.');
  }
  return resolved;
}

interface ConnectionState {
  /** Requests this connection made so far. */
  received: number;
  /** Requests handed to the app whose answer has not gone out yet. */
  inFlight: number;
  readonly waiting: Array<[IncomingMessage, ServerResponse]>;
  /** A request was refused: those that follow are too, as the connection closes after it. */
  closing: boolean;
  pausedByUs: boolean;
}

/**
 * Bounds what one connection can make the server do. Node parses and dispatches every
 * request a client pipelines, at once, whether or not it reads the answers: one client
 * writing requests without reading made tens of thousands of them wait for the database at
 * once. Here a connection has at most `maxInFlightPerConnection` requests in the app; the
 * rest wait, and the socket is paused until they are through, so the client's own writes
 * stall (TCP's flow control) instead of the server's memory growing.
 *
 * @example server.on('request', new ConnectionLimiter(limits).wrap(app.callback()))
 */
export class ConnectionLimiter {
  readonly #limits: ConnectionLimits;
  readonly #connections = new WeakMap<Socket, ConnectionState>();
  readonly #refused = new WeakSet<IncomingMessage>();
  #stopping = false;

  constructor(limits: ConnectionLimits) {
    this.#limits = limits;
  }

  /** Whether `request` is to be answered OFF_01 (the app asks, so the answer is in SPEC's format). */
  isRefused(request: IncomingMessage): boolean {
    return this.#refused.has(request);
  }

  /**
   * For a stop: a connection with requests under way starts no other, those waiting and any
   * that come are never handled, and it is ended once its answers are out. Node sends nothing
   * on a connection after an answer that closes it, so a request handled after the one the
   * stop closes it with would be done and never answered.
   */
  stop(): void {
    this.#stopping = true;
  }

  /** A request listener that hands requests to `listener` within the limits. */
  wrap(listener: RequestListener): RequestListener {
    const limitConnection: RequestListener = (request, response) =>
      this.#arrived(request, response, listener);
    return limitConnection;
  }

  #arrived(request: IncomingMessage, response: ServerResponse, listener: RequestListener): void {
    const state = this.#stateOf(request.socket);
    state.received += 1;
    if (this.#stopping && (state.inFlight > 0 || state.waiting.length > 0)) {
      this.#endOnceAnswered(state, request.socket);
      return;
    }
    const { maxRequestsPerConnection, maxInFlightPerConnection } = this.#limits;
    if (maxRequestsPerConnection > 0 && state.received === maxRequestsPerConnection) {
      response.shouldKeepAlive = false;
    }
    if (
      state.closing ||
      (maxRequestsPerConnection > 0 && state.received > maxRequestsPerConnection) ||
      state.waiting.length >= MAX_WAITING_PER_CONNECTION
    ) {
      this.#refuse(state, request, response, listener);
    } else if (state.inFlight < maxInFlightPerConnection && state.waiting.length === 0) {
      this.#start(state, request, response, listener);
    } else {
      state.waiting.push([request, response]);
      state.pausedByUs = true;
      stopReading(request.socket);
    }
  }

  /**
   * Answered by the app, OFF_01, at once and without the database; the connection closes
   * after it and is not read again. Not counted in flight: Node sends answers in the order of the requests, so this
   * one goes out after those before it, however late they are handled.
   */
  #refuse(
    state: ConnectionState,
    request: IncomingMessage,
    response: ServerResponse,
    listener: RequestListener,
  ): void {
    state.closing = true;
    response.shouldKeepAlive = false;
    this.#refused.add(request);
    // Nothing it sends from now on would be served: it is not read again.
    state.pausedByUs = true;
    stopReading(request.socket);
    listener(request, response);
  }

  #start(
    state: ConnectionState,
    request: IncomingMessage,
    response: ServerResponse,
    listener: RequestListener,
  ): void {
    state.inFlight += 1;
    // 'close' follows 'finish' (the answer handed to the socket) and comes too when the
    // connection dies first.
    response.once('close', () => {
      state.inFlight -= 1;
      if (this.#stopping) this.#endOnceAnswered(state, request.socket);
      else this.#next(state, request.socket, listener);
    });
    listener(request, response);
  }

  #next(state: ConnectionState, socket: Socket, listener: RequestListener): void {
    if (socket.destroyed) {
      state.waiting.length = 0;
      return;
    }
    while (state.inFlight < this.#limits.maxInFlightPerConnection && state.waiting.length > 0) {
      const [request, response] = state.waiting.shift() as [IncomingMessage, ServerResponse];
      this.#start(state, request, response, listener);
    }
    if (state.waiting.length === 0 && state.pausedByUs && !state.closing) {
      state.pausedByUs = false;
      startReading(socket);
    }
  }

  #endOnceAnswered(state: ConnectionState, socket: Socket): void {
    state.waiting.length = 0;
    if (state.inFlight === 0 && !socket.destroyed) socket.end();
  }

  #stateOf(socket: Socket): ConnectionState {
    let state = this.#connections.get(socket);
    if (state === undefined) {
      const created: ConnectionState = {
        received: 0,
        inFlight: 0,
        waiting: [],
        closing: false,
        pausedByUs: false,
      };
      // Node resumes a paused connection on 'drain' (its own pause, for answers piling up),
      // and a resume scheduled before a pause starts the socket's handle reading again: ours
      // runs after Node's 'resume' listener and stops it while requests wait or it closes.
      socket.on('resume', function keepStopped() {
        if (created.pausedByUs) stopReading(socket);
      });
      state = created;
      this.#connections.set(socket, state);
    }
    return state;
  }
}

/** What Node's HTTP server keeps on a connection's socket to pause it (see `stopReading`). */
interface HttpSocket extends Socket {
  _paused?: boolean;
  parser?: { pause(): void; resume(): void } | null;
  _handle?: { reading?: boolean; readStop?(): number } | null;
}

/**
 * Stops reading a connection as Node's HTTP server itself does when answers pile up unsent
 * (`_http_server.js`): its `_paused` flag, which also keeps a request's body reads and the
 * dumping of a finished request from resuming the socket, and `pause()`, which stops the
 * socket's handle. Node pauses the parser too once the chunk being parsed is done. A plain
 * `socket.pause()` is undone by the next answer that finishes.
 */
function stopReading(socket: Socket): void {
  const http = socket as HttpSocket;
  http._paused = true;
  socket.pause();
  // What Node's 'pause' listener does, for a socket whose stream was paused already.
  const handle = http._handle;
  if (handle?.reading === true && handle.readStop !== undefined) {
    handle.reading = false;
    handle.readStop();
  }
}

/** Undoes `stopReading`, as Node does on 'drain'. */
function startReading(socket: Socket): void {
  const http = socket as HttpSocket;
  http._paused = false;
  http.parser?.resume();
  socket.resume();
}
