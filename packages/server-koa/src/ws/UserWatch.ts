import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type RawData, type Server as WsServer } from 'ws';
import { isPlazaError, type Plaza, type Unsubscribe, type VerifiedToken } from '@plaza/core';
import { SocketRegistry } from './SocketRegistry.js';
import type { WatchedEvent, WatchProtocol } from './WatchProtocol.js';
import { WatchSocket, type WatchSocketOwner } from './WatchSocket.js';
import type { WebSocketLimits } from './webSocketLimits.js';

/** @example new UserWatch({ plaza, logger, limits: resolveWebSocketLimits() }) */
export interface UserWatchOptions {
  readonly plaza: Pick<Plaza, 'auth' | 'events'>;
  readonly logger: Logger;
  readonly limits: WebSocketLimits;
}

/** How long `close()` waits for peers to answer the close frame before cutting them off. */
const CLOSE_GRACE_MS = 2000;

const SHUTTING_DOWN = 'server shutting down';
const AUTH_TIMEOUT = 'authentication timeout';
const TOO_MANY_SOCKETS = 'too many sockets for this user';
const TOKEN_REVOKED = 'token revoked';
const ACCOUNT_DELETED = 'account deleted';
const TOO_MANY_AUTHS = 'too many authentication messages';
const TOO_MANY_MESSAGES = 'too many messages';
/**
 * How long a socket closed for flooding has to take its close frame before it is cut off;
 * its messages are no longer read meanwhile.
 */
const FLOOD_CLOSE_GRACE_MS = 1000;
/**
 * Authentication messages of one socket waiting for their check. A client needs one or two;
 * the bound keeps a flood from queueing work without end.
 */
const MAX_PENDING_AUTHS = 16;

/**
 * The close code of a socket whose token was revoked by a password change or a logout
 * everywhere (a private-use code: 1008 would not tell it from other policy closes).
 */
export const TOKEN_REVOKED_CLOSE_CODE = 4001;

/** The close code of every socket of a user whose account was deleted. */
export const ACCOUNT_DELETED_CLOSE_CODE = 4002;

/**
 * The `/user-watch` endpoint: accepts sockets, authenticates them, and forwards each core
 * event to the sockets of the one user it concerns. One bus subscription per event type and
 * one ping sweep serve every socket.
 *
 * @example server.on('upgrade', userWatchUpgrade(new UserWatch({ plaza, logger, limits }), policy))
 */
export class UserWatch implements WatchSocketOwner {
  readonly #plaza: UserWatchOptions['plaza'];
  readonly #logger: Logger;
  readonly #limits: WebSocketLimits;
  readonly #server: WsServer<typeof WatchSocket>;
  /** Every open socket, authenticated or not: what the ping sweep and `close()` walk. */
  readonly #sockets = new Set<WatchSocket>();
  readonly #registry = new SocketRegistry<WatchSocket>();
  #unsubscribes: Unsubscribe[] | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #serial = 0;
  #closing: Promise<void> | undefined;
  #whenEmpty: (() => void) | undefined;

  constructor(options: UserWatchOptions) {
    this.#plaza = options.plaza;
    this.#logger = options.logger;
    this.#limits = options.limits;
    this.#server = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      WebSocket: WatchSocket,
    });
  }

  /** Completes a WebSocket handshake; after `close()`, ws answers 503 instead. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, protocol: WatchProtocol): void {
    this.#server.handleUpgrade(request, socket, head, (webSocket) => {
      this.#accept(webSocket, protocol);
    });
  }

  /**
   * Closes every socket with 1001, waits a little for the peers' answers, cuts off the
   * rest, and leaves the bus. Later handshakes get 503.
   */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const unsubscribe of this.#unsubscribes ?? []) unsubscribe();
      this.#unsubscribes = [];
      this.#stopSweep();
      this.#server.close();
      if (this.#sockets.size === 0) {
        resolve();
        return;
      }
      const force = setTimeout(() => {
        for (const socket of this.#sockets) socket.terminate();
      }, CLOSE_GRACE_MS);
      this.#whenEmpty = () => {
        clearTimeout(force);
        resolve();
      };
      for (const socket of this.#sockets) {
        clearTimeout(socket.authTimer);
        socket.authTimer = undefined;
        socket.endReason ??= SHUTTING_DOWN;
        socket.close(1001, SHUTTING_DOWN);
      }
    });
    return this.#closing;
  }

  received(socket: WatchSocket, data: RawData, isBinary: boolean): void {
    if (!this.#withinRate(socket)) return;
    const protocol = socket.watchProtocol;
    if (isBinary) {
      this.#send(socket, protocol.syntaxError('Binary messages are not accepted.'));
      return;
    }
    const command = protocol.parse(textOf(data));
    if (command.kind === 'unknown') {
      this.#send(socket, protocol.syntaxError(command.problem));
      return;
    }
    this.#authenticate(socket, command.token);
  }

  pinged(socket: WatchSocket): void {
    this.#withinRate(socket);
  }

  closed(socket: WatchSocket, code: number): void {
    clearTimeout(socket.authTimer);
    socket.authTimer = undefined;
    clearTimeout(socket.cutTimer);
    socket.cutTimer = undefined;
    this.#sockets.delete(socket);
    if (socket.userId !== undefined) this.#registry.remove(socket.userId, socket);
    if (this.#logger.isLevelEnabled('debug')) {
      this.#logger.debug(
        { socket_id: socket.serial, user_id: socket.userId, code, reason: socket.endReason },
        'user-watch socket closed',
      );
    }
    if (this.#sockets.size === 0) {
      this.#stopSweep();
      this.#whenEmpty?.();
    }
  }

  #accept(socket: WatchSocket, protocol: WatchProtocol): void {
    this.#serial += 1;
    socket.watch(this, protocol, this.#serial);
    socket.authTimer = setTimeout(authTimedOut, this.#limits.authTimeoutMs, socket);
    socket.messageAllowance = this.#limits.messageBurst;
    socket.allowanceAt = performance.now();
    this.#sockets.add(socket);
    this.#subscribe();
    this.#sweep ??= setInterval(() => this.#pingAll(), this.#limits.pingIntervalMs).unref();
    if (this.#logger.isLevelEnabled('debug')) {
      this.#logger.debug(
        { socket_id: socket.serial, format: protocol.name },
        'user-watch socket opened',
      );
    }
  }

  /**
   * Counts one message of an open socket against its allowance (a token bucket:
   * `messageBurst` at once, refilled at `messagesPerSecond`). A socket past it is closed with
   * 1008 and no longer read: a flood of even cheap messages would take the process's time
   * from every other socket.
   */
  #withinRate(socket: WatchSocket): boolean {
    if (socket.readyState !== WebSocket.OPEN) return false;
    const { messagesPerSecond, messageBurst } = this.#limits;
    const now = performance.now();
    const refill = ((now - socket.allowanceAt) * messagesPerSecond) / 1000;
    socket.messageAllowance = Math.min(messageBurst, socket.messageAllowance + refill);
    socket.allowanceAt = now;
    if (socket.messageAllowance >= 1) {
      socket.messageAllowance -= 1;
      return true;
    }
    socket.endReason ??= TOO_MANY_MESSAGES;
    this.#logger.warn(
      { socket_id: socket.serial, user_id: socket.userId, messages_per_second: messagesPerSecond },
      'user-watch socket closed: too many messages',
    );
    socket.close(1008, TOO_MANY_MESSAGES);
    socket.pause();
    socket.cutTimer = setTimeout(cutOff, FLOOD_CLOSE_GRACE_MS, socket);
    return false;
  }

  #authenticate(socket: WatchSocket, token: string | undefined): void {
    // A check may read the database. The socket's checks run one at a time and are answered
    // in order, and it keeps the identity it had until its check is answered.
    if (socket.pendingAuths >= MAX_PENDING_AUTHS) {
      socket.endReason ??= TOO_MANY_AUTHS;
      socket.close(1008, TOO_MANY_AUTHS);
      return;
    }
    socket.pendingAuths += 1;
    socket.authChecks = socket.authChecks
      .then(async () => {
        const verified = await this.#verify(token);
        socket.pendingAuths -= 1;
        // Nothing is awaited from the answer to the registration, so a revocation either
        // came first (and the check saw it) or finds the socket registered.
        if (socket.readyState === WebSocket.OPEN) this.#authenticated(socket, verified);
      })
      .catch((error: unknown) => {
        this.#logger.error({ err: error }, 'user-watch: authenticating a socket failed');
      });
  }

  #authenticated(socket: WatchSocket, verified: VerifiedToken | undefined): void {
    const wasAuthenticated = socket.userId !== undefined;
    if (socket.userId !== undefined) this.#registry.remove(socket.userId, socket);
    socket.userId = undefined;
    if (verified === undefined) {
      if (wasAuthenticated) {
        socket.authTimer = setTimeout(authTimedOut, this.#limits.authTimeoutMs, socket);
      }
      this.#send(socket, socket.watchProtocol.authFailed());
      return;
    }
    const { userId } = verified;
    if (this.#registry.count(userId) >= this.#limits.maxSocketsPerUser) {
      socket.endReason = TOO_MANY_SOCKETS;
      socket.close(1008, TOO_MANY_SOCKETS);
      return;
    }
    clearTimeout(socket.authTimer);
    socket.authTimer = undefined;
    socket.userId = userId;
    socket.tokenVersion = verified.tokenVersion;
    socket.sessionId = verified.sessionId;
    this.#registry.add(userId, socket);
    this.#send(socket, socket.watchProtocol.ready(userId));
  }

  async #verify(token: string | undefined): Promise<VerifiedToken | undefined> {
    if (token === undefined) return undefined;
    try {
      return await this.#plaza.auth.authenticate(token);
    } catch (error) {
      if (!isPlazaError(error)) {
        this.#logger.error({ err: error }, 'user-watch: checking a token failed');
      }
      return undefined;
    }
  }

  /** Subscribes on the first socket, so a server nobody watches costs the bus nothing. */
  #subscribe(): void {
    if (this.#unsubscribes !== undefined) return;
    const events = this.#plaza.events;
    this.#unsubscribes = [
      events.subscribe('enrichment.completed', (payload) => {
        this.#deliver(payload.user_id, { type: 'enrichment.completed', ...payload });
      }),
      events.subscribe('enrichment.failed', (payload) => {
        this.#deliver(payload.user_id, { type: 'enrichment.failed', ...payload });
      }),
      events.subscribe('post.liked', (payload) => {
        this.#deliver(payload.author_id, { type: 'post.liked', ...payload });
      }),
      events.subscribe('post.unliked', (payload) => {
        this.#deliver(payload.author_id, { type: 'post.unliked', ...payload });
      }),
      events.subscribe('post.edited', (payload) => {
        const event = { type: 'post.edited', ...payload } as const;
        for (const likerId of payload.liker_ids) this.#deliver(likerId, event);
      }),
      events.subscribe('post.deleted', (payload) => {
        const event = { type: 'post.deleted', ...payload } as const;
        for (const likerId of payload.liker_ids) this.#deliver(likerId, event);
      }),
      events.subscribe('comment.created', (payload) => {
        this.#deliver(payload.author_id, { type: 'comment.created', ...payload });
      }),
      events.subscribe('user.followed', (payload) => {
        this.#deliver(payload.user_id, { type: 'user.followed', ...payload });
      }),
      events.subscribe('auth.tokens_revoked', (payload) => {
        this.#revoke(payload.user_id, (socket) => socket.tokenVersion < payload.token_version);
      }),
      events.subscribe('auth.session_ended', (payload) => {
        this.#revoke(payload.user_id, (socket) => socket.sessionId === payload.session_id);
      }),
      events.subscribe('user.deleted', (payload) => {
        this.#closeAllOf(payload.user_id, ACCOUNT_DELETED_CLOSE_CODE, ACCOUNT_DELETED);
      }),
    ];
  }

  /** Closes every socket of the user. */
  #closeAllOf(userId: number, code: number, reason: string): void {
    const sockets = this.#registry.socketsOf(userId);
    if (sockets === undefined) return;
    for (const socket of [...sockets]) {
      // Out of the registry now, so nothing more reaches it while it closes.
      this.#registry.remove(userId, socket);
      socket.endReason ??= reason;
      socket.close(code, reason);
    }
  }

  /**
   * Closes the user's sockets whose token is revoked: older than a raised token version, or
   * of an ended session.
   */
  #revoke(userId: number, revoked: (socket: WatchSocket) => boolean): void {
    const sockets = this.#registry.socketsOf(userId);
    if (sockets === undefined) return;
    for (const socket of [...sockets]) {
      if (!revoked(socket)) continue;
      // Out of the registry now, so nothing more reaches it while it closes.
      this.#registry.remove(userId, socket);
      socket.endReason ??= TOKEN_REVOKED;
      socket.close(TOKEN_REVOKED_CLOSE_CODE, TOKEN_REVOKED);
    }
  }

  #deliver(userId: number, event: WatchedEvent): void {
    const sockets = this.#registry.socketsOf(userId);
    if (sockets === undefined) return;
    // Rendered once per format, not once per socket.
    const frames = new Map<WatchProtocol, string | undefined>();
    for (const socket of sockets) {
      const protocol = socket.watchProtocol;
      let frame = frames.get(protocol);
      if (frame === undefined && !frames.has(protocol)) {
        frame = protocol.event(event);
        frames.set(protocol, frame);
      }
      if (frame !== undefined) this.#send(socket, frame);
    }
  }

  #send(socket: WatchSocket, frame: string): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    // A reader that stopped reading would otherwise have every later event queued in our
    // memory; it can reconnect once it reads again.
    if (socket.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.#drop(socket, 'slow consumer');
      return;
    }
    socket.send(frame);
  }

  #pingAll(): void {
    for (const socket of this.#sockets) {
      if (socket.awaitingPong) {
        this.#drop(socket, 'no pong');
        continue;
      }
      socket.awaitingPong = true;
      socket.ping();
    }
  }

  #drop(socket: WatchSocket, reason: string): void {
    socket.endReason ??= reason;
    // Out of the registry now: the close event comes only once the socket is torn down.
    if (socket.userId !== undefined) this.#registry.remove(socket.userId, socket);
    socket.terminate();
  }

  #stopSweep(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }
}

function authTimedOut(socket: WatchSocket): void {
  socket.authTimer = undefined;
  socket.endReason ??= AUTH_TIMEOUT;
  socket.close(1008, AUTH_TIMEOUT);
}

function cutOff(socket: WatchSocket): void {
  socket.cutTimer = undefined;
  socket.terminate();
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
