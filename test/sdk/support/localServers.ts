import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOnLoopback } from '../../fakes/listenOnLoopback.js';

/** A plain HTTP server on a free loopback port, standing in for whatever sits before Plaza. */
export interface LocalServer {
  readonly url: string;
  /** Requests received so far. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startLocalServer(handler: RequestListener): Promise<LocalServer> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests += 1;
    handler(request, response);
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    get requests() {
      return requests;
    },
    close: () => closeServer(server),
  };
}

/** Ends hanging requests too, so a test's teardown never waits on them. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listenOnLoopback(server);
  await closeServer(server);
  return url;
}

/** The first `overloads` requests get Plaza's 503 OFF_01; the rest go on to `targetUrl`. */
export function overloadedThen(targetUrl: string, overloads: number): RequestListener {
  let left = overloads;
  return (request, response) => {
    if (left > 0) {
      left -= 1;
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
      response.end(JSON.stringify({ code: 'OFF_01', message: 'Server overloaded, try again.' }));
      return;
    }
    void forward(targetUrl, request, response);
  };
}

async function forward(
  targetUrl: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'content-type', 'accept']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const method = request.method ?? 'GET';
  const answer = await fetch(`${targetUrl}${request.url ?? '/'}`, {
    method,
    headers,
    ...(method === 'GET' ? {} : { body: Buffer.concat(chunks) }),
  });
  response.writeHead(answer.status, {
    'content-type': answer.headers.get('content-type') ?? 'application/json',
  });
  response.end(Buffer.from(await answer.arrayBuffer()));
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
