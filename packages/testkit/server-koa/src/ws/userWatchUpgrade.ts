import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { OriginPolicy } from '../OriginPolicy.js';
import { jsonWatchProtocol } from './jsonWatchProtocol.js';
import { textWatchProtocol } from './textWatchProtocol.js';
import type { UserWatch } from './UserWatch.js';

/** @example new WebSocket(`ws://127.0.0.1:8000${USER_WATCH_PATH}?format=json`) */
export const USER_WATCH_PATH = '/user-watch';

const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const FORBIDDEN = 'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * The `upgrade` listener of a Node HTTP server: `/user-watch` (`?format=json` for the JSON
 * protocol) goes to `watch`; any other path gets a plain 404, and a browser page of an origin
 * `origins` does not allow gets a plain 403 before any handshake.
 *
 * @example server.on('upgrade', userWatchUpgrade(watch, OriginPolicy.of(undefined)))
 */
export function userWatchUpgrade(
  watch: UserWatch,
  origins: OriginPolicy,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return function upgradeToUserWatch(request, socket, head) {
    // Split by hand: `new URL` throws on some request targets a client can send.
    const target = request.url ?? '';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    if (path !== USER_WATCH_PATH) {
      refuse(socket, NOT_FOUND);
      return;
    }
    if (!origins.allowsUpgrade(request.headers.origin, request.headers.host)) {
      refuse(socket, FORBIDDEN);
      return;
    }
    const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
    const protocol = query.get('format') === 'json' ? jsonWatchProtocol : textWatchProtocol;
    watch.upgrade(request, socket, head, protocol);
  };
}

function refuse(socket: Duplex, response: string): void {
  // Node has taken its own error listener off an upgraded socket; a reset would crash us.
  socket.on('error', destroyOnError);
  if (socket.writable) socket.end(response, () => socket.destroy());
  else socket.destroy();
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}
