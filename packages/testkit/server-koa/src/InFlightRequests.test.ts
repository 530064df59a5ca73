import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { InFlightRequests } from './InFlightRequests.js';

interface Started {
  readonly server: Server;
  readonly requests: InFlightRequests;
  readonly url: string;
  /** Lets the handler that is waiting answer. */
  readonly release: () => void;
  /** Resolves once a handler is running. */
  readonly handling: Promise<void>;
}

async function start(t: { teardown(fn: () => void): void }): Promise<Started> {
  let release = (): void => undefined;
  let handlingStarted = (): void => undefined;
  const handling = new Promise<void>((resolve) => (handlingStarted = resolve));
  const server = createServer();
  const requests = new InFlightRequests(
    async (_req, res) => {
      handlingStarted();
      await new Promise<void>((resolve) => (release = resolve));
      res.end('done');
    },
    () => server.closeIdleConnections(),
  );
  server.on('request', requests.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.close();
    server.closeAllConnections();
  });
  const { port } = server.address() as AddressInfo;
  return { server, requests, url: `http://127.0.0.1:${port}`, release: () => release(), handling };
}

const get = (url: string): Promise<{ connection: string | undefined; body: string }> =>
  new Promise((resolve, reject) => {
    request(url, { headers: { connection: 'keep-alive' } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ connection: res.headers.connection, body }));
    })
      .on('error', reject)
      .end();
  });

test('an answer being prepared when the stop begins says Connection: close, and settled() waits for its handler', async (t) => {
  const { requests, url, release, handling } = await start(t);
  const answer = get(url);
  await handling;
  t.is(requests.size, 1);
  requests.stopKeepingAlive();
  let settled = false;
  const waiting = requests.settled(60_000).then((all) => {
    settled = true;
    return all;
  });
  await new Promise((resolve) => setImmediate(resolve));
  t.false(settled, 'settled() waits for the running handler');
  release();
  t.deepEqual(await answer, { connection: 'close', body: 'done' });
  t.true(await waiting);
  t.is(requests.size, 0);
});

test('settled() gives up at its timeout and says so', async (t) => {
  const { requests, url, release, handling } = await start(t);
  const answer = get(url);
  await handling;
  t.false(await requests.settled(10));
  release();
  await answer;
});

test('before the stop, answers keep their connection alive', async (t) => {
  const { url, release, handling } = await start(t);
  const answer = get(url);
  await handling;
  release();
  t.is((await answer).connection, 'keep-alive');
});
