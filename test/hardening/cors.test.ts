import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { freshDatabaseUrl } from '@plaza/testkit';
import { createServer, serve, serverOptionsFromEnv } from '@plaza/server-koa';
import { signUp } from '../support/builders.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startInProcessTarget, TEST_JWT_SECRET } from '../support/apiTarget.js';
import { runCli } from '../support/cliProcess.js';
import { openWatchSocket, WAIT_MS, watchUrl, withTimeout } from '../support/watchSocket.js';

const APP = 'https://app.example.com';
const DEV = 'http://localhost:5173';
const FOREIGN = 'https://evil.example';

/** The names of the CORS headers an answer carries (`access-control-*`). */
function corsHeaderNames(headers: Headers): string[] {
  return [...headers.keys()].filter((name) => name.startsWith('access-control-'));
}

function varies(headers: Headers): string[] {
  return (headers.get('vary') ?? '').split(',').map((field) => field.trim().toLowerCase());
}

/** What a browser sends before a cross-origin POST with a token and a JSON body. */
function preflight(baseUrl: string, path: string, origin: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });
}

/** Every answer of one page's session: GETs, POSTs, and errors (404, 401, unknown path). */
async function sessionFrom(api: Api, origin: string): Promise<Record<string, ApiResponse>> {
  const headers = { origin };
  return {
    health: await api.get('/healthz', {}, { headers }),
    signUp: await api.post(
      '/user/data',
      { username: `cors_${Date.now()}`, password: 'x' },
      { headers, as: 'json' },
    ),
    missingPost: await api.get('/post/read', { post_id: 999_999 }, { headers }),
    noToken: await api.post('/post/data', { title: 't', text: 't' }, { headers }),
    unknownPath: await api.get('/no/such/route', {}, { headers }),
  };
}

/** The status a `ws` client with this Origin (none: `undefined`) gets for its handshake. */
async function upgradeStatus(baseUrl: string, origin: string | undefined): Promise<number> {
  const socket = new WebSocket(watchUrl(baseUrl), {
    handshakeTimeout: WAIT_MS,
    ...(origin === undefined ? {} : { origin }),
  });
  const status = new Promise<number>((resolve, reject) => {
    socket.once('open', () => {
      resolve(101);
      socket.close();
    });
    socket.once('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    socket.once('error', reject);
  });
  return withTimeout(status, WAIT_MS, 'the WebSocket handshake to be answered');
}

test('without the cors option no answer carries CORS headers, whatever the Origin', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  const session = await sessionFrom(new Api(target.baseUrl), APP);
  for (const [name, answer] of Object.entries(session)) {
    t.deepEqual(corsHeaderNames(answer.headers), [], name);
    t.false(varies(answer.headers).includes('origin'), name);
  }
  const options = await preflight(target.baseUrl, '/post/data', APP);
  t.deepEqual(corsHeaderNames(options.headers), []);
});

test('a listed origin gets Allow-Origin, Vary and Expose on GETs, POSTs and every error', async (t) => {
  // DEV configured in upper case: browsers send it in lower case, and that must still match.
  const target = await startInProcessTarget(
    {},
    { cors: { origins: [APP, 'HTTP://LOCALHOST:5173'] } },
  );
  t.teardown(() => target.close());
  const api = new Api(target.baseUrl);
  for (const origin of [APP, DEV]) {
    const session = await sessionFrom(api, origin);
    t.is(session['health']?.status, 200);
    t.is(session['signUp']?.status, 400);
    t.is(session['signUp']?.body['code'], 'PAR_01');
    t.deepEqual(session['missingPost']?.body, { code: 'USR_01', message: 'Object not found.' });
    t.is(session['missingPost']?.status, 404);
    t.is(session['noToken']?.status, 401);
    t.is(session['noToken']?.body['code'], 'AUT_01');
    t.is(session['unknownPath']?.status, 404);
    for (const [name, answer] of Object.entries(session)) {
      const headers = answer.headers;
      t.is(headers.get('access-control-allow-origin'), origin, name);
      t.is(headers.get('access-control-expose-headers'), 'Retry-After, X-Request-Id', name);
      t.true(varies(headers).includes('origin'), name);
      t.is(headers.get('access-control-allow-credentials'), null, name);
      t.truthy(headers.get('x-request-id'), name);
    }
  }
  const ada = await signUp(api);
  const posted = await api.post(
    '/post/data',
    { title: 'From a page', text: 'across origins' },
    { token: ada.token, scheme: 'Bearer', as: 'json', headers: { origin: APP } },
  );
  t.is(posted.status, 200);
  t.is(posted.headers.get('access-control-allow-origin'), APP);
});

test('a preflight from a listed origin is answered 204 with methods, headers and max age', async (t) => {
  const target = await startInProcessTarget({}, { cors: { origins: [APP] } });
  t.teardown(() => target.close());
  for (const path of ['/post/data', '/user/data', '/no/such/route']) {
    const answer = await preflight(target.baseUrl, path, APP);
    t.is(answer.status, 204, path);
    t.is(await answer.text(), '', path);
    t.is(answer.headers.get('access-control-allow-origin'), APP, path);
    t.is(answer.headers.get('access-control-allow-methods'), 'GET, POST', path);
    t.is(answer.headers.get('access-control-allow-headers'), 'Authorization, Content-Type', path);
    t.is(answer.headers.get('access-control-max-age'), '600', path);
    t.is(answer.headers.get('access-control-allow-credentials'), null, path);
    t.true(varies(answer.headers).includes('origin'), path);
  }
});

test('an origin not listed, or no Origin at all, gets no CORS headers; nor does its preflight', async (t) => {
  const target = await startInProcessTarget({}, { cors: { origins: [APP] } });
  t.teardown(() => target.close());
  const api = new Api(target.baseUrl);
  // A look-alike: the same host on another scheme or port is another origin.
  for (const origin of [
    FOREIGN,
    'http://app.example.com',
    'https://app.example.com:8443',
    'null',
  ]) {
    const session = await sessionFrom(api, origin);
    t.is(session['missingPost']?.status, 404);
    for (const [name, answer] of Object.entries(session)) {
      t.deepEqual(corsHeaderNames(answer.headers), [], `${origin} ${name}`);
    }
    const options = await preflight(target.baseUrl, '/post/data', origin);
    t.not(options.status, 204, origin);
    t.deepEqual(corsHeaderNames(options.headers), [], origin);
  }
  const anonymous = await api.get('/healthz');
  t.is(anonymous.status, 200);
  t.deepEqual(corsHeaderNames(anonymous.headers), []);
});

test('"*" lets any origin read answers with a literal *, which browsers never pair with credentials', async (t) => {
  const target = await startInProcessTarget({}, { cors: { origins: ['*'] } });
  t.teardown(() => target.close());
  const api = new Api(target.baseUrl);
  for (const origin of [APP, FOREIGN]) {
    const session = await sessionFrom(api, origin);
    for (const [name, answer] of Object.entries(session)) {
      t.is(answer.headers.get('access-control-allow-origin'), '*', `${origin} ${name}`);
      t.is(answer.headers.get('access-control-allow-credentials'), null, `${origin} ${name}`);
    }
    const options = await preflight(target.baseUrl, '/post/like', origin);
    t.is(options.status, 204);
    t.is(options.headers.get('access-control-allow-origin'), '*');
  }
  t.deepEqual(corsHeaderNames((await api.get('/healthz')).headers), []);
});

test('createServer refuses origins that are not origins, naming the option', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  for (const origins of [['https://app.example.com/'], ['*', APP], [], ['app.example.com']]) {
    t.throws(() => createServer(target.plaza, { cors: { origins } }), {
      message: /^cors\.origins /,
    });
  }
});

test('plaza-server reads CORS_ORIGINS: it reaches the server, and a bad one exits 2', async (t) => {
  const running = await serve({
    settings: serverOptionsFromEnv({
      PORT: '0',
      DATABASE_URL: freshDatabaseUrl(),
      JWT_SECRET: TEST_JWT_SECRET,
      CORS_ORIGINS: `${DEV},${APP}`,
    }),
    logger: pino({ enabled: false }),
  });
  t.teardown(() => running.close());
  const answer = await fetch(`${running.url}/healthz`, { headers: { origin: APP } });
  t.is(answer.headers.get('access-control-allow-origin'), APP);

  const cwd = mkdtempSync(join(tmpdir(), 'plaza-cors-'));
  const run = runCli([], { cwd, env: { PORT: '0', CORS_ORIGINS: `${APP}/` } });
  t.is(await run.exited, 2);
  t.regex(run.stderr(), /CORS_ORIGINS "https:\/\/app\.example\.com\/" is not an origin/);
});

test('/user-watch refuses a foreign Origin with 403 and takes a listed one, its own, or none', async (t) => {
  const target = await startInProcessTarget({}, { cors: { origins: [APP] } });
  t.teardown(() => target.close());
  t.is(await upgradeStatus(target.baseUrl, FOREIGN), 403);
  t.is(await upgradeStatus(target.baseUrl, 'null'), 403);
  t.is(await upgradeStatus(target.baseUrl, 'http://127.0.0.1:1'), 403, 'same host, other port');
  t.is(await upgradeStatus(target.baseUrl, APP), 101);
  t.is(await upgradeStatus(target.baseUrl, target.baseUrl), 101, 'a page of the server itself');
  t.is(await upgradeStatus(target.baseUrl, undefined), 101, 'a program: no Origin');

  // A listed page's socket is a working socket, not just a handshake.
  const ada = await signUp(new Api(target.baseUrl));
  const watch = await openWatchSocket(target.baseUrl, { client: { origin: APP } });
  t.teardown(() => watch.close());
  watch.send(`/auth ${ada.token}`);
  t.is(await watch.next(), `ok: user_id=${ada.userId}`);
});

test('without the cors option /user-watch takes pages of its own host and programs only', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  t.is(await upgradeStatus(target.baseUrl, APP), 403);
  t.is(await upgradeStatus(target.baseUrl, target.baseUrl), 101);
  t.is(await upgradeStatus(target.baseUrl, undefined), 101);
  // 127.0.0.1 and localhost are different origins, even on one machine.
  const port = new URL(target.baseUrl).port;
  t.is(await upgradeStatus(target.baseUrl, `http://localhost:${port}`), 403);
});

test('with "*" /user-watch takes any Origin', async (t) => {
  const target = await startInProcessTarget({}, { cors: { origins: ['*'] } });
  t.teardown(() => target.close());
  t.is(await upgradeStatus(target.baseUrl, FOREIGN), 101);
  t.is(await upgradeStatus(target.baseUrl, undefined), 101);
});
