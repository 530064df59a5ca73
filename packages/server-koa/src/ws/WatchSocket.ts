import { WebSocket, type RawData } from 'ws';
import { textWatchProtocol } from './textWatchProtocol.js';
import type { WatchProtocol } from './WatchProtocol.js';

/** An event on its way to a resuming socket: its frame, and its place in the inbox. */
export interface PlacedFrame {
  readonly frame: string;
  readonly id: number;
  /** The person's entry before it (0: none). */
  readonly after: number;
}

/**
 * A resuming socket's place in its person's inbox: `last`, the newest id sent (or skipped);
 * while `busy` (reading the inbox), live events wait in `pending`, in arrival order.
 */
export interface InboxCursor {
  last: number;
  busy: boolean;
  readonly pending: PlacedFrame[];
}

/**
 * Whoever accepted a socket hears its messages and its end.
 *
 * @example socket.watch(owner, jsonWatchProtocol, 1) // owner.received(…) per message from now on
 */
export interface WatchSocketOwner {
  received(socket: WatchSocket, data: RawData, isBinary: boolean): void;
  /** A ping from the peer (ws answers it itself); it counts as a message. */
  pinged(socket: WatchSocket): void;
  closed(socket: WatchSocket, code: number): void;
}

/**
 * A `/user-watch` connection with the little state it needs. ws builds these itself (the
 * server's `WebSocket` option), so the state lives on the socket instead of in a side map,
 * and the listeners are shared by all sockets: EventEmitter calls them with the socket as
 * `this`, so an idle socket carries no closures of ours.
 *
 * @example new WebSocketServer({ noServer: true, WebSocket: WatchSocket })
 */
export class WatchSocket extends WebSocket {
  /** Undefined until authenticated, and again after a failed re-authentication. */
  userId: number | undefined = undefined;
  /** The token version `userId` was authenticated with; a revocation above it ends the socket. */
  tokenVersion = 0;
  /** The session of the token `userId` was authenticated with; its end ends the socket. */
  sessionId: number | undefined = undefined;
  /** The token checks of this socket, chained so that they are answered in order. */
  authChecks: Promise<void> = Promise.resolve();
  /** Authentication messages whose check has not been answered yet. */
  pendingAuths = 0;
  watchProtocol: WatchProtocol = textWatchProtocol;
  /** Set when a ping goes out, cleared by the pong. */
  awaitingPong = false;
  authTimer: NodeJS.Timeout | undefined = undefined;
  /** Pairs a socket's open and close log lines. */
  serial = 0;
  /** Why the server ended the socket (or the error ws saw), for the close log line. */
  endReason: string | undefined = undefined;
  owner: WatchSocketOwner | undefined = undefined;
  /** Messages the socket may still send now (a token bucket), and when it was last filled. */
  messageAllowance = 0;
  allowanceAt = 0;
  /** Ends a socket closed for flooding, whether or not its peer answers the close. */
  cutTimer: NodeJS.Timeout | undefined = undefined;
  /** JSON sockets that resume (`since` in their auth): where they stand in the inbox. */
  cursor: InboxCursor | undefined = undefined;

  /** Starts listening for the owner; called once, right after the handshake. */
  watch(owner: WatchSocketOwner, protocol: WatchProtocol, serial: number): void {
    this.owner = owner;
    this.watchProtocol = protocol;
    this.serial = serial;
    this.on('message', onMessage);
    this.on('ping', onPing);
    this.on('pong', onPong);
    this.on('error', onError);
    this.on('close', onClose);
  }
}

// Typed as ws hands them over; the instanceof checks narrow to our subclass for free.
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  if (this instanceof WatchSocket) this.owner?.received(this, data, isBinary);
}

function onPing(this: WebSocket): void {
  if (this instanceof WatchSocket) this.owner?.pinged(this);
}

function onPong(this: WebSocket): void {
  if (this instanceof WatchSocket) this.awaitingPong = false;
}

// ws closes the socket itself after an error (1009 for a frame over maxPayload, 1007 for
// bad UTF-8, ...); without a listener the error would crash the process.
function onError(this: WebSocket, error: Error): void {
  if (this instanceof WatchSocket) {
    this.endReason ??= (error as NodeJS.ErrnoException).code ?? error.message;
  }
}

function onClose(this: WebSocket, code: number): void {
  if (this instanceof WatchSocket) this.owner?.closed(this, code);
}
