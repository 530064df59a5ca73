import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { fakeProfileFor } from '@plaza/core/host';
import jwt from 'jsonwebtoken';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { listenOnLoopback } from '../../support/listen.js';
import { pace } from './pace.js';
import { textOf } from '../textOf.js';
import { benchEmail, TEXT_NOTICE, type WsHost, type WsServerStart } from './wsServerProtocol.js';

const now = (): number => performance.timeOrigin + performance.now();

/** What Plaza's `/user-watch` allows a client to send. */
const MAX_FRAME_BYTES = 4096;

/** A socket and the two facts the bare server keeps about it, as Plaza's WatchSocket does. */
class BareSocket extends WebSocket {
  userId: number | undefined = undefined;
  json = false;
}

/**
 * The yardstick for `/user-watch`: a plain `ws` server on a Node HTTP server, with Plaza's
 * ws settings (no compression, no client tracking, 4 KiB frames) and none of its work. The
 * first message of a socket is taken as its login: the user id is read from the token
 * without checking it, and the socket is answered `ok: user_id=N` (or, on
 * `?format=json`, `{"type":"ready","user_id":N}`) and filed under that user, so that a
 * notice can reach exactly its user's sockets. A notice is a frame of the same shape and
 * size as Plaza's, rendered per send.
 *
 * @example const host = await startBareHost({ kind: 'bare', users: 1500, … })
 */
export async function startBareHost(start: WsServerStart): Promise<WsHost> {
  const userIds = Array.from({ length: start.users }, (_, index) => index + 1);
  const emails = new Map(userIds.map((userId, index) => [userId, benchEmail(index)]));
  const byUser = new Map<number, Set<BareSocket>>();
  const sent: Array<readonly [number, number]> = [];
  let holding = false;
  let queued: number[] = [];

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    WebSocket: BareSocket,
  });

  function onMessage(this: WebSocket, data: RawData): void {
    if (!(this instanceof BareSocket) || this.userId !== undefined) return;
    const userId = userIdIn(tokenIn(textOf(data), this.json));
    if (!Number.isSafeInteger(userId)) {
      this.close(1008, 'no user');
      return;
    }
    this.userId = userId;
    let sockets = byUser.get(userId);
    if (sockets === undefined) byUser.set(userId, (sockets = new Set()));
    sockets.add(this);
    this.send(
      this.json ? JSON.stringify({ type: 'ready', user_id: userId }) : `ok: user_id=${userId}`,
    );
  }

  function onClose(this: WebSocket): void {
    if (!(this instanceof BareSocket) || this.userId === undefined) return;
    const sockets = byUser.get(this.userId);
    sockets?.delete(this);
    if (sockets?.size === 0) byUser.delete(this.userId);
  }

  function ignoreError(): void {
    // ws closes the socket itself after an error; without a listener it would crash us.
  }

  function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    wss.handleUpgrade(request, socket, head, (webSocket) => {
      webSocket.json = request.url?.includes('format=json') ?? false;
      webSocket.on('message', onMessage);
      webSocket.on('close', onClose);
      webSocket.on('error', ignoreError);
    });
  }

  function notify(userId: number): void {
    const sockets = byUser.get(userId);
    sent.push([userId, now()]);
    if (sockets === undefined) return;
    let json: string | undefined;
    for (const socket of sockets) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      json ??= noticeFrame(userId, emails.get(userId) ?? '');
      socket.send(socket.json ? json : TEXT_NOTICE);
    }
  }

  const target = await listenOnLoopback(
    (_request, response) => {
      response.statusCode = 404;
      response.end();
    },
    (server) => server.on('upgrade', upgrade),
  );
  return {
    origin: target.origin.replace(/^http:/, 'ws:'),
    userIds,
    connections: target.connections,
    async trigger(ids, perSecond) {
      await pace(ids, perSecond, (userId) => {
        if (holding) queued.push(userId);
        else notify(userId);
      });
      return ids.length;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      const released = queued;
      queued = [];
      for (const userId of released) notify(userId);
      return released.length;
    },
    held: () => queued.length,
    times: () => ({ sent, answered: [] }),
    async close() {
      for (const sockets of byUser.values()) for (const socket of sockets) socket.terminate();
      wss.close();
      await target.close();
    },
  };
}

function tokenIn(message: string, json: boolean): string {
  if (!json) return message.replace(/^\s*\/auth\s+/, '').trim();
  try {
    const { token } = JSON.parse(message) as { token?: unknown };
    return typeof token === 'string' ? token : '';
  } catch {
    return '';
  }
}

/** The token's `sub`, unchecked: the bare server trusts whoever connects. */
function userIdIn(token: string): number {
  const payload = jwt.decode(token);
  return typeof payload === 'object' && payload !== null ? Number(payload.sub) : Number.NaN;
}

/** The JSON frame Plaza sends: the event with the user's whole profile as its owner sees it. */
function noticeFrame(userId: number, email: string): string {
  const found = fakeProfileFor(email);
  const profile = found.kind === 'found' ? found.profile : {};
  return JSON.stringify({
    type: 'enrichment.completed',
    user_id: userId,
    profile: {
      user_id: userId,
      username: email.split('@')[0],
      email,
      first_name: null,
      last_name: null,
      birth_date: null,
      ...profile,
    },
  });
}
