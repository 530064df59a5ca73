import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PlazaServer } from '@plaza/server-koa';

/**
 * Takes the mount path off a request for Plaza (`/social/post/list` → `/post/list`);
 * false, untouched, if the request is not under it.
 */
export function unmount(request: IncomingMessage, path: string): boolean {
  const url = request.url ?? '/';
  if (url !== path && !url.startsWith(`${path}/`) && !url.startsWith(`${path}?`)) return false;
  request.url = url.slice(path.length) || '/';
  if (request.url.startsWith('?')) request.url = `/${request.url}`;
  return true;
}

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Plaza's side of the host's Node server: its timeouts and connection limits (`attach`),
 * and the WebSocket upgrades under `path` (`/social/user-watch`) handed to Plaza; other
 * upgrades are left to the host's own listeners (closed when it has none).
 *
 * @example attachUnder(server, social, '/social')
 */
export function attachUnder(server: Server, social: PlazaServer, path: string): void {
  const hosts = new Set(server.listeners('upgrade'));
  social.attach(server);
  const plazas = (server.listeners('upgrade') as UpgradeListener[]).filter(
    (listener) => !hosts.has(listener),
  );
  for (const listener of plazas) server.off('upgrade', listener);
  server.on('upgrade', function upgradeUnderMount(request, socket, head) {
    if (!unmount(request, path)) {
      // Not Plaza's, and the host listens for no upgrades of its own: refused, not left hanging.
      if (server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    for (const listener of plazas) listener.call(server, request, socket, head);
  });
}
