import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type RawData, type Server as WsServer } from 'ws';
import {
  isPlazaError,
  type InboxPlaced,
  type InboxPlacedForMany,
  type KeptNotification,
  type Plaza,
  type Unsubscribe,
  type VerifiedToken,
} from '@plaza/core';
import { SocketRegistry } from './SocketRegistry.js';
import type { WatchedEvent, WatchProtocol } from './WatchProtocol.js';
import {
  WatchSocket,
  type InboxCursor,
  type PlacedFrame,
  type WatchSocketOwner,
} from './WatchSocket.js';
import type { WebSocketLimits } from './webSocketLimits.js';

/** @example new UserWatch({ plaza, logger, limits: resolveWebSocketLimits() }) */
export interface UserWatchOptions {
  readonly plaza: Pick<Plaza, 'auth' | 'events' | 'notifications'>;
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
const INBOX_UNREADABLE = 'inbox unreadable; resume later';
const TOO_FAR_BEHIND = 'too far behind; resume later';
/**
 * Live events a resuming socket holds while its inbox is read. Past it the socket is closed
 * (1013): its client resumes from the last id it saw, and is sent what it missed then.
 */
const MAX_PENDING_EVENTS = 10_000;
/** Kept entries read from the inbox at a time while a socket catches up. */
const REPLAY_BATCH = 500;
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
    this.#authenticate(socket, command.token, command.since);
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

  #authenticate(
    socket: WatchSocket,
    token: string | undefined,
    since: number | null | undefined,
  ): void {
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
        if (socket.readyState === WebSocket.OPEN) this.#authenticated(socket, verified, since);
        // The replay is part of the answer: a later auth message waits for it.
        if (socket.cursor?.busy === true) await this.#resume(socket, socket.cursor, since);
      })
      .catch((error: unknown) => {
        this.#logger.error({ err: error }, 'user-watch: authenticating a socket failed');
      });
  }

  #authenticated(
    socket: WatchSocket,
    verified: VerifiedToken | undefined,
    since: number | null | undefined,
  ): void {
    const wasAuthenticated = socket.userId !== undefined;
    if (socket.userId !== undefined) this.#registry.remove(socket.userId, socket);
    socket.userId = undefined;
    socket.cursor = undefined;
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
    if (since === undefined || socket.watchProtocol.name !== 'json') {
      this.#send(socket, socket.watchProtocol.ready(userId));
      return;
    }
    // Registered first, so that nothing published from now on is missed: live events wait
    // in the cursor while the inbox is read (`#resume`), then go out after what it holds.
    socket.cursor = { last: 0, busy: true, pending: [] };
  }

  /**
   * Answers a resuming socket: `ready` with where its inbox stands, then every kept event after
   * `since` in order (or `resync` when some were pruned), then the live events that came
   * meanwhile, none twice.
   */
  async #resume(socket: WatchSocket, cursor: InboxCursor, since: number | null | undefined) {
    const userId = socket.userId;
    if (userId === undefined) return;
    const inbox = this.#plaza.notifications;
    try {
      const head = await inbox.head(userId);
      if (socket.cursor !== cursor) return;
      this.#send(socket, socket.watchProtocol.ready(userId, head));
      cursor.last = head.last_id;
      if (since != null) {
        const replay = await inbox.after(userId, since, undefined, REPLAY_BATCH);
        if (socket.cursor !== cursor) return;
        if (replay.kind === 'resync') {
          const frame = socket.watchProtocol.resync();
          if (frame !== undefined) this.#send(socket, frame);
        } else {
          cursor.last = since;
          this.#sendKept(socket, cursor, replay.entries);
          const more = replay.entries.length === REPLAY_BATCH;
          if (more && !(await this.#sendKeptAfter(socket, cursor, userId, undefined))) return;
        }
      }
    } catch (error) {
      this.#inboxFailed(socket, error);
      return;
    }
    this.#drain(socket, cursor);
  }

  /**
   * Reads and sends the kept entries after the cursor (up to `upTo`), a batch at a time.
   * Answers false when the socket was re-authenticated or closed meanwhile.
   */
  async #sendKeptAfter(
    socket: WatchSocket,
    cursor: InboxCursor,
    userId: number,
    upTo: number | undefined,
  ): Promise<boolean> {
    for (;;) {
      const batch = await this.#plaza.notifications.after(userId, cursor.last, upTo, REPLAY_BATCH);
      if (socket.cursor !== cursor) return false;
      // Pruned under us: what is left goes on from the next live event.
      if (batch.kind === 'resync') return true;
      this.#sendKept(socket, cursor, batch.entries);
      if (batch.entries.length < REPLAY_BATCH) return true;
    }
  }

  /** Sends kept entries newer than the cursor, in order. */
  #sendKept(socket: WatchSocket, cursor: InboxCursor, entries: readonly KeptNotification[]): void {
    for (const entry of entries) {
      if (entry.id <= cursor.last) continue;
      const frame = socket.watchProtocol.replayed(entry);
      if (frame !== undefined) this.#send(socket, frame);
      cursor.last = entry.id;
    }
  }

  /** Sends the live events that waited, until one needs the inbox read again. */
  #drain(socket: WatchSocket, cursor: InboxCursor): void {
    cursor.busy = false;
    let free = true;
    while (free && socket.cursor === cursor) {
      const next = cursor.pending.shift();
      if (next === undefined) return;
      free = this.#advance(socket, cursor, next);
    }
  }

  /**
   * One live event for a resuming socket: an id it was sent already is dropped; one right after
   * the last it was sent goes out; one after a gap (an event of another instance that has not
   * reached us yet, or one published before this socket was registered) waits while the
   * entries in between are read from the inbox and sent first. Answers whether the cursor is
   * still free for the next one.
   */
  #advance(socket: WatchSocket, cursor: InboxCursor, placed: PlacedFrame): boolean {
    if (cursor.busy) {
      if (cursor.pending.length >= MAX_PENDING_EVENTS) {
        this.#closeBehind(socket, TOO_FAR_BEHIND);
        return false;
      }
      cursor.pending.push(placed);
      return false;
    }
    if (placed.id <= cursor.last) return true;
    if (placed.after <= cursor.last) {
      this.#send(socket, placed.frame);
      cursor.last = placed.id;
      return true;
    }
    const userId = socket.userId;
    if (userId === undefined) return false;
    cursor.busy = true;
    this.#sendKeptAfter(socket, cursor, userId, placed.id).then(
      (current) => {
        if (!current) return;
        if (placed.id > cursor.last) {
          this.#send(socket, placed.frame);
          cursor.last = placed.id;
        }
        this.#drain(socket, cursor);
      },
      (error: unknown) => this.#inboxFailed(socket, error),
    );
    return false;
  }

  /** The inbox could not be read: the client resumes later, from the last id it saw. */
  #inboxFailed(socket: WatchSocket, error: unknown): void {
    this.#logger.warn(
      { err: error, socket_id: socket.serial },
      'user-watch: reading an inbox failed',
    );
    this.#closeBehind(socket, INBOX_UNREADABLE);
  }

  #closeBehind(socket: WatchSocket, reason: string): void {
    if (socket.userId !== undefined) this.#registry.remove(socket.userId, socket);
    socket.cursor = undefined;
    socket.endReason ??= reason;
    socket.close(1013, reason);
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
        this.#deliver(
          payload.user_id,
          { type: 'enrichment.completed', ...payload },
          placeOf(payload),
        );
      }),
      events.subscribe('enrichment.failed', (payload) => {
        this.#deliver(payload.user_id, { type: 'enrichment.failed', ...payload }, placeOf(payload));
      }),
      events.subscribe('post.liked', (payload) => {
        this.#deliver(payload.author_id, { type: 'post.liked', ...payload }, placeOf(payload));
      }),
      events.subscribe('post.unliked', (payload) => {
        this.#deliver(payload.author_id, { type: 'post.unliked', ...payload }, placeOf(payload));
      }),
      events.subscribe('post.edited', (payload) => {
        const event = { type: 'post.edited', ...payload } as const;
        payload.liker_ids.forEach((likerId, index) => {
          this.#deliver(likerId, event, placeAt(payload, index));
        });
      }),
      events.subscribe('post.deleted', (payload) => {
        const event = { type: 'post.deleted', ...payload } as const;
        payload.liker_ids.forEach((likerId, index) => {
          this.#deliver(likerId, event, placeAt(payload, index));
        });
      }),
      events.subscribe('comment.created', (payload) => {
        this.#deliver(payload.author_id, { type: 'comment.created', ...payload }, placeOf(payload));
      }),
      events.subscribe('user.followed', (payload) => {
        this.#deliver(payload.user_id, { type: 'user.followed', ...payload }, placeOf(payload));
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

  #deliver(userId: number, event: WatchedEvent, place: InboxPlace | undefined): void {
    const sockets = this.#registry.socketsOf(userId);
    if (sockets === undefined) return;
    // Rendered once per format, not once per socket.
    const frames = new Map<WatchProtocol, string | undefined>();
    for (const socket of [...sockets]) {
      const protocol = socket.watchProtocol;
      let frame = frames.get(protocol);
      if (frame === undefined && !frames.has(protocol)) {
        frame = protocol.event(event, place?.id);
        frames.set(protocol, frame);
      }
      if (frame === undefined) continue;
      const cursor = socket.cursor;
      if (cursor === undefined || place === undefined) this.#send(socket, frame);
      else this.#advance(socket, cursor, { frame, id: place.id, after: place.after });
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

interface InboxPlace {
  readonly id: number;
  readonly after: number;
}

/** The receiver's inbox place of a one-receiver event, when its publisher kept it. */
function placeOf(payload: InboxPlaced): InboxPlace | undefined {
  const { inbox_id: id, inbox_after: after } = payload;
  return id === undefined ? undefined : { id, after: after ?? 0 };
}

/** The `index`th liker's inbox place of a `post.edited` / `post.deleted`. */
function placeAt(payload: InboxPlacedForMany, index: number): InboxPlace | undefined {
  const id = payload.inbox_ids?.[index];
  return id === undefined ? undefined : { id, after: payload.inbox_afters?.[index] ?? 0 };
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
