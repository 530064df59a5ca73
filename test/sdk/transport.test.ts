import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import anyTest, { type TestFn } from 'ava';
import { WebSocketServer } from 'ws';
import {
  PlazaApiError,
  PlazaNetworkError,
  isPlazaApiError,
  isPlazaNetworkError,
  type FetchFunction,
} from '@plaza/client-sdk';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { clientOf, signedUpClient } from './support/clients.js';
import {
  closedPortUrl,
  overloadedThen,
  startLocalServer,
  type LocalServer,
} from './support/localServers.js';

/**
 * What the client makes of answers that are not Plaza's, and of no answer at all: network
 * errors are PlazaNetworkError, never PlazaApiError; OFF_01 is retried, nothing else is.
 */

const test = anyTest as TestFn<{ readonly target: InProcessTarget }>;

test.before(async (t) => {
  t.context = { target: await startInProcessTarget() };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

const local = async (
  t: { teardown(fn: () => unknown): void },
  handler: Parameters<typeof startLocalServer>[0],
): Promise<LocalServer> => {
  const server = await startLocalServer(handler);
  t.teardown(() => server.close());
  return server;
};

/** `through` (the global fetch by default), counting the calls the client makes with it. */
const countingFetch = (
  through: FetchFunction = (input, init) => fetch(input, init),
): { readonly fetch: FetchFunction; readonly calls: string[] } => {
  const calls: string[] = [];
  return {
    calls,
    fetch: (input, init) => {
      calls.push(`${init.method ?? 'GET'} ${new URL(input).pathname}`);
      return through(input, init);
    },
  };
};

/**
 * The global fetch, on a network where the client's abort reaches the connection only once
 * `reached(response)` has settled. The client's short timer still fires when it fires, but
 * it cuts the exchange at the point the test is about: on a loaded machine it could otherwise
 * fire before the request was even sent, or before the headers came.
 */
const abortingOnlyAfter =
  (reached: (response: Promise<Response>) => Promise<unknown>): FetchFunction =>
  (input, init) => {
    const wire = new AbortController();
    const response = fetch(input, { ...init, signal: wire.signal });
    const cut = (): void => {
      void reached(response)
        .catch(() => undefined)
        .then(() => wire.abort(init.signal?.reason));
    };
    if (init.signal?.aborted === true) cut();
    else init.signal?.addEventListener('abort', cut, { once: true });
    return response;
  };

/**
 * Resolves when the server has a request of the test's own client (by its token), counting
 * them: a request that some other test's client sends to this port (a port it saw free a
 * moment ago) is not one.
 */
const heldRequests = (
  token: string,
): {
  readonly handler: Parameters<typeof startLocalServer>[0];
  readonly arrived: Promise<void>;
  readonly count: () => number;
} => {
  let count = 0;
  let arrive = (): void => {};
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  return {
    arrived,
    count: () => count,
    handler: (request) => {
      // Held open, never answered; close() ends it.
      if (request.headers.authorization !== `Bearer ${token}`) return;
      count += 1;
      arrive();
    },
  };
};

test('an unreachable server is a PlazaNetworkError, not an API error', async (t) => {
  const client = clientOf(t, await closedPortUrl());
  const error = await t.throwsAsync(client.posts.get(1), { instanceOf: PlazaNetworkError });
  t.true(isPlazaNetworkError(error));
  t.false(isPlazaApiError(error));
  t.false(error.timedOut);
  t.truthy(error.cause, 'the fetch failure is kept as the cause');
  t.regex(error.message, /127\.0\.0\.1/);
});

test('live events to an unreachable server reject with a PlazaNetworkError', async (t) => {
  const client = clientOf(t, await closedPortUrl(), { token: 'some.token.value' });
  const error = await t.throwsAsync(client.events.connect(), { instanceOf: PlazaNetworkError });
  t.false(isPlazaApiError(error));
  t.is(client.events.state, 'idle');
});

test('a WebSocket server that never says ready: connect times out', async (t) => {
  const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  t.teardown(() => {
    for (const socket of silent.clients) socket.terminate();
    silent.close();
  });
  await once(silent, 'listening');
  const { port } = silent.address() as AddressInfo;
  const client = clientOf(t, `http://127.0.0.1:${port}`, { token: 'a.b.c', timeoutMs: 200 });
  const error = await t.throwsAsync(client.events.connect(), { instanceOf: PlazaNetworkError });
  t.true(error.timedOut);
  t.is(client.events.state, 'idle');
});

test('a server that never answers times out: PlazaNetworkError with timedOut', async (t) => {
  const token = 'the.timeout.test';
  const held = heldRequests(token);
  const silent = await local(t, held.handler);
  // The timeout cuts the request only once the server holds it.
  const counted = countingFetch(abortingOnlyAfter(() => held.arrived));
  const client = clientOf(t, silent.url, { timeoutMs: 150, token, fetch: counted.fetch });
  const error = await t.throwsAsync(client.posts.list(), { instanceOf: PlazaNetworkError });
  t.true(error.timedOut);
  t.regex(error.message, /150 ms/);
  t.deepEqual(counted.calls, ['GET /post/list'], 'a timeout is not retried');
  t.is(held.count(), 1, 'the server saw the one attempt');
});

test('a body that stops half-way times out too', async (t) => {
  const stalling = await local(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"code":"OK","data":');
  });
  // The timeout cuts the exchange only once the headers are in: it is the body that stalls.
  const client = clientOf(t, stalling.url, {
    timeoutMs: 150,
    fetch: abortingOnlyAfter((response) => response),
  });
  const error = await t.throwsAsync(client.posts.list(), { instanceOf: PlazaNetworkError });
  t.true(error.timedOut);
  t.regex(error.message, /did not arrive in full within 150 ms/);
});

test("a proxy's HTML 502 is UNEXPECTED_RESPONSE with the status", async (t) => {
  const proxy = await local(t, (_request, response) => {
    response.writeHead(502, { 'content-type': 'text/html' });
    response.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
  });
  const client = clientOf(t, proxy.url);
  const error = await t.throwsAsync(client.posts.get(1), { instanceOf: PlazaApiError });
  t.is(error.code, 'UNEXPECTED_RESPONSE');
  t.is(error.status, 502);
  t.is(error.field, undefined);
  t.false(isPlazaNetworkError(error));
  t.is(proxy.requests, 1);
});

test('JSON that is not a Plaza envelope is UNEXPECTED_RESPONSE, even with HTTP 200', async (t) => {
  const other = await local(t, (request, response) => {
    const status = request.url?.startsWith('/post/read') === true ? 200 : 500;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'something else', code: 'E_WHATEVER', message: 'x' }));
  });
  const client = clientOf(t, other.url);
  const ok = await t.throwsAsync(client.posts.get(1), { instanceOf: PlazaApiError });
  t.is(ok.code, 'UNEXPECTED_RESPONSE');
  t.is(ok.status, 200);
  const failed = await t.throwsAsync(client.posts.list(), { instanceOf: PlazaApiError });
  t.is(failed.code, 'UNEXPECTED_RESPONSE');
  t.is(failed.status, 500);
  t.deepEqual(failed.cause, { error: 'something else', code: 'E_WHATEVER', message: 'x' });
});

test('OFF_01 is retried, through the fetch given as an option, and the call succeeds', async (t) => {
  const { target } = t.context;
  const { session } = await signedUpClient(t, target.baseUrl);
  const overloaded = await local(t, overloadedThen(target.baseUrl, 1));
  const counted = countingFetch();
  const client = clientOf(t, overloaded.url, { token: session.token, fetch: counted.fetch });

  const { post_id } = await client.posts.create({ title: 'Retried', text: 'once' });

  t.deepEqual(counted.calls, ['POST /post/data', 'POST /post/data']);
  t.is(overloaded.requests, 2);
  const mine = await client.posts.list({ author_id: session.user_id });
  t.deepEqual(
    mine.posts.map((post) => post.post_id),
    [post_id],
    'the refused attempt created nothing',
  );
});

test('OFF_01 past overloadRetries is thrown as PlazaApiError OFF_01 503', async (t) => {
  const overloaded = await local(t, overloadedThen(t.context.target.baseUrl, 10));
  const counted = countingFetch();
  const client = clientOf(t, overloaded.url, { fetch: counted.fetch, overloadRetries: 2 });
  const error = await t.throwsAsync(client.posts.list(), { instanceOf: PlazaApiError });
  t.is(error.code, 'OFF_01');
  t.is(error.status, 503);
  t.is(error.message, 'Server overloaded, try again.');
  t.is(counted.calls.length, 3, 'the first try and two retries');

  const noRetries = clientOf(t, overloaded.url, { overloadRetries: 0 });
  const before = overloaded.requests;
  await t.throwsAsync(noRetries.posts.list(), { instanceOf: PlazaApiError });
  t.is(overloaded.requests - before, 1);
});

test('other errors are not retried', async (t) => {
  const counted = countingFetch();
  const client = clientOf(t, t.context.target.baseUrl, { fetch: counted.fetch });
  const error = await t.throwsAsync(client.posts.get(987_654), { instanceOf: PlazaApiError });
  t.is(error.code, 'USR_01');
  t.deepEqual(counted.calls, ['GET /post/read']);
});

test('requests carry the token as a Bearer header, and errors do not show it', async (t) => {
  const { session } = await signedUpClient(t, t.context.target.baseUrl);
  const seen: Array<string | undefined> = [];
  const echo = await local(t, (request, response) => {
    seen.push(request.headers.authorization);
    response.writeHead(502, { 'content-type': 'text/plain' });
    response.end('bad gateway');
  });
  const client = clientOf(t, echo.url, { token: session.token });
  const apiError = await t.throwsAsync(client.users.me(), { instanceOf: PlazaApiError });
  t.deepEqual(seen, [`Bearer ${session.token}`]);
  t.false(inspect(apiError, { depth: 10 }).includes(session.token));

  const unreachable = clientOf(t, await closedPortUrl(), { token: session.token });
  const networkError = await t.throwsAsync(unreachable.users.me(), {
    instanceOf: PlazaNetworkError,
  });
  t.false(inspect(networkError, { depth: 10 }).includes(session.token));
});

test('a base URL that is not http(s) is refused at once', (t) => {
  t.throws(() => clientOf(t, 'ftp://127.0.0.1/'), { instanceOf: TypeError });
  t.throws(() => clientOf(t, 'not a url'), { instanceOf: TypeError });
});
