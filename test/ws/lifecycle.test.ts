import { connect } from 'node:net';
import test from 'ava';
import { createServer, DEFAULT_WEB_SOCKET_LIMITS } from '@plaza/server-koa';
import { signUp } from '../support/builders.js';
import { Api } from '../support/http.js';
import { startInProcessTarget } from '../support/apiTarget.js';
import {
  openAuthenticated,
  openAuthenticatedJson,
  openWatchSocket,
  WAIT_MS,
  withTimeout,
} from '../support/watchSocket.js';

/** Sends a WebSocket handshake for `path` over a raw socket; resolves with all it got back. */
function rawUpgrade(baseUrl: string, path: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  const answer = new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        [
          `GET ${path} HTTP/1.1`,
          `Host: ${hostname}:${port}`,
          'Connection: Upgrade',
          'Upgrade: websocket',
          'Sec-WebSocket-Version: 13',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          '',
          '',
        ].join('\r\n'),
      );
    });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
  return withTimeout(answer, WAIT_MS, `the server to answer and hang up on ${path}`);
}

test('an upgrade on any other path gets a plain 404 and the connection is closed', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  for (const path of [
    '/',
    '/user-watch/',
    '/user-watchx',
    '/post/read',
    '/healthz?x=/user-watch',
  ]) {
    t.regex(await rawUpgrade(target.baseUrl, path), /^HTTP\/1\.1 404 Not Found\r\n/, path);
  }
});

test('close() closes every socket with 1001, and later handshakes are refused', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  const api = new Api(target.baseUrl);
  const ada = await signUp(api);
  const text = await openAuthenticated(target.baseUrl, ada.token, ada.userId);
  const json = await openAuthenticatedJson(target.baseUrl, ada.token, ada.userId);
  const unauthenticated = await openWatchSocket(target.baseUrl);

  await withTimeout(target.plazaServer.close(), WAIT_MS, 'close()');
  for (const client of [text, json, unauthenticated]) {
    t.deepEqual(await client.closed(), { code: 1001, reason: 'server shutting down' });
  }
  const refused = await openWatchSocket(target.baseUrl).then(
    () => 'opened',
    (error: unknown) => (error as Error).message,
  );
  t.regex(refused, /503/);
  t.is((await api.get('/healthz')).status, 200, 'HTTP goes on until the server closes');
});

test('one debug line per socket opening and closing, with the user id and code; no token', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  const ada = await signUp(new Api(target.baseUrl));
  const watch = await openAuthenticated(target.baseUrl, ada.token, ada.userId);
  watch.socket.close(1000);
  await watch.closed();
  // The close is logged when the server sees it, maybe just after the client does.
  await withTimeout(
    (async () => {
      while (!target.logs().includes('user-watch socket closed')) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })(),
    WAIT_MS,
    'the close log line',
  );
  const lines = target
    .logs()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => String(line['msg']).startsWith('user-watch'));
  t.is(lines.length, 2);
  t.like(lines[0], { level: 20, msg: 'user-watch socket opened', format: 'text' });
  t.like(lines[1], {
    level: 20,
    msg: 'user-watch socket closed',
    user_id: ada.userId,
    code: 1000,
    socket_id: lines[0]?.['socket_id'],
  });
  t.false(target.logs().includes(ada.token));
});

test('limits default as documented and bad ones are refused with a clear error', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  t.deepEqual(DEFAULT_WEB_SOCKET_LIMITS, {
    authTimeoutMs: 10_000,
    maxFrameBytes: 4096,
    pingIntervalMs: 30_000,
    maxBufferedBytes: 256 * 1024,
    maxSocketsPerUser: 16,
    messagesPerSecond: 5,
    messageBurst: 20,
  });
  const make = (webSocket: Record<string, unknown>) => () =>
    createServer(target.plaza, { webSocket });
  t.throws(make({ authTimeoutMs: 0 }), {
    message: 'webSocket.authTimeoutMs must be a positive whole number; it is 0.',
  });
  t.throws(make({ maxFrameBytes: 1.5 }), { message: /webSocket\.maxFrameBytes .* it is 1\.5/ });
  t.throws(make({ maxSocketsPerUser: '16' }), { message: /maxSocketsPerUser .* it is "16"/ });
  t.throws(make({ pingIntervalMs: 2 ** 31 }), { message: /pingIntervalMs must be at most/ });
  t.throws(make({ messageBurst: 0 }), { message: /webSocket\.messageBurst .* it is 0/ });
  t.throws(make({ authTimeout: 5 }), { message: /webSocket\.authTimeout is not a limit/ });
  t.notThrows(make({ authTimeoutMs: undefined, maxSocketsPerUser: 1 }));
});

test('close() cuts off a peer that never answers the close frame, after a short grace', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  const ada = await signUp(new Api(target.baseUrl));
  const deaf = await openAuthenticated(target.baseUrl, ada.token, ada.userId);
  deaf.socket.pause(); // reads nothing more, so never answers the server's close frame
  const started = Date.now();
  await withTimeout(target.plazaServer.close(), WAIT_MS, 'close()');
  t.true(Date.now() - started >= 1_500, 'the peer had its grace period');
  deaf.socket.resume();
  await deaf.closed();
});
