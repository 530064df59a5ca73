import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { jsonWatchProtocol } from './jsonWatchProtocol.js';
import { textWatchProtocol } from './textWatchProtocol.js';
import type { UserWatch } from './UserWatch.js';

/** @example new WebSocket(`ws://127.0.0.1:8000${USER_WATCH_PATH}?format=json`) */
export const USER_WATCH_PATH = '/user-watch';

const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * The `upgrade` listener of a Node HTTP server: `/user-watch` (`?format=json` for the JSON
 * protocol) goes to `watch`; any other path gets a plain 404.
 *
 * @example server.on('upgrade', userWatchUpgrade(watch))
 */
export function userWatchUpgrade(
  watch: UserWatch,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return function upgradeToUserWatch(request, socket, head) {
    // Split by hand: `new URL` throws on some request targets a client can send.
    const target = request.url ?? '';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    if (path !== USER_WATCH_PATH) {
      refuse(socket);
      return;
    }
    const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
    const protocol = query.get('format') === 'json' ? jsonWatchProtocol : textWatchProtocol;
    watch.upgrade(request, socket, head, protocol);
  };
}

function refuse(socket: Duplex): void {
  // Node has taken its own error listener off an upgraded socket; a reset would crash us.
  socket.on('error', destroyOnError);
  if (socket.writable) socket.end(NOT_FOUND, () => socket.destroy());
  else socket.destroy();
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}
