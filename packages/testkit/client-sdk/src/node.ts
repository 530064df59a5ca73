import { WebSocket as NodeWebSocket } from 'ws';
import {
  createClient as createUniversalClient,
  type ClientOptions,
  type PlazaClient,
} from './createClient.js';
import type { WebSocketConstructor } from './webSocketLike.js';

export * from './index.js';

const globalWebSocket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;

/**
 * Node's entry point: the same client, with the `ws` package as the WebSocket where Node
 * has none of its own (Node 20).
 *
 * @example const plaza = createClient('http://127.0.0.1:8000')
 */
export function createClient(baseUrl: string | URL, options: ClientOptions = {}): PlazaClient {
  return createUniversalClient(baseUrl, {
    ...options,
    WebSocket: options.WebSocket ?? globalWebSocket ?? NodeWebSocket,
  });
}
