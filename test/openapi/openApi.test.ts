/**
 * The OpenAPI document: a valid 3.1 document, served as generated, naming every route the
 * router serves (with its method and authentication) and nothing it does not; the reference
 * page and its files; and the answer checker the API suite runs every answer through.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import type Router from '@koa/router';
import { Validator } from '@seriousme/openapi-schema-validator';
import { openApiDocument, ROUTES } from '@plaza/server-koa';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { Api } from '../support/http.js';
import { OpenApiAnswers } from '../support/openApiAnswers.js';
import { openWatchSocket } from '../support/watchSocket.js';

const test = anyTest as TestFn<{ target: InProcessTarget; api: Api }>;

test.before(async (t) => {
  const target = await startInProcessTarget();
  t.context = { target, api: new Api(target.baseUrl) };
});
test.after.always(async (t) => {
  await t.context.target.close();
});

const swaggerUiFolder = dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
);

/** The document as a client gets it. */
async function servedDocument(baseUrl: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/openapi.json`);
  return (await response.json()) as Record<string, unknown>;
}

test('GET /openapi.json is a valid OpenAPI 3.1 document', async (t) => {
  const response = await fetch(`${t.context.target.baseUrl}/openapi.json`);
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^application\/json/);
  const document = (await response.json()) as Record<string, unknown>;
  t.is(document['openapi'], '3.1.0');
  const result = await new Validator().validate(document);
  t.deepEqual(result, { valid: true });
});

test('the served document is the one generated from the route catalog', async (t) => {
  const served = await servedDocument(t.context.target.baseUrl);
  t.deepEqual(served, JSON.parse(JSON.stringify(openApiDocument())) as Record<string, unknown>);
});

/** The router inside the app: koa-router's dispatch middleware carries it. */
function routerOf(target: InProcessTarget): Router {
  const dispatch = target.plazaServer.app.middleware.find((middleware) => 'router' in middleware);
  if (dispatch === undefined) throw new Error('no koa-router in the app');
  return (dispatch as unknown as { router: Router }).router;
}

/**
 * `required`, `optional`, `viewer` or `none`, from the names of a route's middleware (see
 * auth.ts).
 */
function authenticationOf(names: readonly string[]): string {
  if (names.includes('authenticate')) return 'required';
  if (names.includes('authenticateIfAsked')) return 'optional';
  if (names.includes('identifyViewer')) return 'viewer';
  return 'none';
}

/** The same, from an operation's `security`. */
function documentedAuthentication(operation: Record<string, unknown>): string {
  const security = JSON.stringify(operation['security'] ?? []);
  if (security === '[{"token":[]}]') return 'required';
  if (security === '[{},{"token":[]}]') {
    return operation['x-plaza-auth'] === 'viewer' ? 'viewer' : 'optional';
  }
  return security === '[]' ? 'none' : `unexpected security ${security}`;
}

test('every route the router serves is in the document, with its method and authentication, and no other', async (t) => {
  const document = await servedDocument(t.context.target.baseUrl);
  const paths = document['paths'] as Record<string, Record<string, Record<string, unknown>>>;

  const served: string[] = [];
  for (const layer of routerOf(t.context.target).stack) {
    const names = layer.stack.map((middleware) => middleware.name);
    for (const method of layer.methods.filter((method) => method !== 'HEAD')) {
      served.push(
        `${method} ${String(layer.path).replace(/:(\w+)/g, '{$1}')} ${authenticationOf(names)}`,
      );
    }
  }
  const documented: string[] = [];
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      // The WebSocket endpoint is an upgrade of the HTTP server, not a route (next test).
      if (path === '/user-watch') continue;
      documented.push(`${method.toUpperCase()} ${path} ${documentedAuthentication(operation)}`);
    }
  }
  t.deepEqual(
    {
      undocumented: served.filter((route) => !documented.includes(route)),
      notServed: documented.filter((route) => !served.includes(route)),
    },
    { undocumented: [], notServed: [] },
  );
  // Each of the catalog's routes, the kept contract's included, is registered.
  t.is(served.length, Object.keys(ROUTES).length);
  for (const kept of [
    'POST /api-token-auth/ none',
    'GET /user/data optional',
    'GET /post/read viewer',
    'GET /post/list viewer',
    'POST /post/like required',
  ]) {
    t.true(served.includes(kept), kept);
  }
});

test("a route's parameters are its core input spec, described by the core's schemas", async (t) => {
  const document = await servedDocument(t.context.target.baseUrl);
  const paths = document['paths'] as Record<string, Record<string, Record<string, unknown>>>;
  t.deepEqual(paths['/post/read']?.['get']?.['parameters'], [
    {
      name: 'post_id',
      in: 'query',
      required: true,
      schema: {
        description: 'A positive integer id, as a number or a string of digits.',
        type: ['number', 'string'],
      },
    },
  ]);
  const body = paths['/post/data']?.['post']?.['requestBody'] as {
    content: Record<
      string,
      { schema: { properties: Record<string, unknown>; required: string[] } }
    >;
  };
  const form = body.content['application/x-www-form-urlencoded']?.schema;
  t.deepEqual(form, body.content['application/json']?.schema);
  t.deepEqual(Object.keys(form?.properties ?? {}), Object.keys(ROUTES.createPost.input));
  t.deepEqual(form?.required, ['title', 'text']);
  t.deepEqual(form?.properties['title'], {
    type: 'string',
    description: 'One line of at most 255 characters.',
  });
});

test('/user-watch is described as a WebSocket upgrade, and the server upgrades it', async (t) => {
  const document = await servedDocument(t.context.target.baseUrl);
  const paths = document['paths'] as Record<string, Record<string, Record<string, unknown>>>;
  const watch = paths['/user-watch']?.['get'];
  t.truthy(watch);
  t.deepEqual(Object.keys(watch?.['responses'] as object), ['101', '403']);
  t.regex(String(watch?.['description']), /\/auth <TOKEN>/);

  const socket = await openWatchSocket(t.context.target.baseUrl);
  socket.send('/auth not-a-token');
  t.is(await socket.next(), 'error: cannot authenticate');
  socket.close();
});

test('GET /docs: a page that loads only files of this server, with the security headers', async (t) => {
  const { baseUrl } = t.context.target;
  const page = await fetch(`${baseUrl}/docs`);
  t.is(page.status, 200);
  t.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
  t.is(page.headers.get('x-content-type-options'), 'nosniff');
  const policy = page.headers.get('content-security-policy') ?? '';
  t.regex(policy, /default-src 'none'/);
  t.regex(policy, /script-src 'self'(;|$)/);
  const html = await page.text();

  const linked = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
  t.deepEqual(
    linked.filter((link) => !link.startsWith('docs/')),
    [],
    'every file is relative',
  );
  t.false(/<script>/.test(html), 'no inline script: the policy would refuse it');
  const expectedTypes: Record<string, string> = {
    'docs/swagger-ui.css': 'text/css; charset=utf-8',
    'docs/swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
    'docs/plaza-docs.js': 'text/javascript; charset=utf-8',
    'docs/favicon-32x32.png': 'image/png',
  };
  t.deepEqual([...linked].sort(), Object.keys(expectedTypes).sort());
  for (const link of linked) {
    const asset = await fetch(`${baseUrl}/${link}`);
    t.is(asset.status, 200, link);
    t.is(asset.headers.get('content-type'), expectedTypes[link] ?? 'none', link);
    t.is(asset.headers.get('x-content-type-options'), 'nosniff', link);
    const body = Buffer.from(await asset.arrayBuffer());
    if (link !== 'docs/plaza-docs.js') {
      // The package's own file, byte for byte.
      t.true(body.equals(await readFile(join(swaggerUiFolder, link.slice('docs/'.length)))), link);
    }
  }
});

test('GET /docs/ sends the browser to /docs, where the relative links hold', async (t) => {
  const response = await fetch(`${t.context.target.baseUrl}/docs/`, { redirect: 'manual' });
  t.is(response.status, 302);
  t.is(response.headers.get('location'), '../docs');
});

test('GET /docs/<anything else> is USR_01, whatever the path tries', async (t) => {
  for (const path of ['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/index.html']) {
    const response = await t.context.api.get(path);
    t.is(response.status, 404, path);
    t.deepEqual(response.body, { code: 'USR_01', message: 'Object not found.' }, path);
  }
});

test('the answer checker refuses what the document does not allow', (t) => {
  const answers = new OpenApiAnswers(openApiDocument());
  const post = {
    post_id: 1,
    author_id: 2,
    title: 'A title',
    text: 'Some text',
    link: null,
    likes: 0,
    posted: '2026-12-07T10:00:00.000Z',
    edited: '2026-12-07T10:00:00.000Z',
    author: { user_id: 2, username: 'ada', first_name: null, last_name: null, avatar: null },
    comments: 0,
  };
  t.is(answers.problemWith('GET', '/post/read', 200, { code: 'OK', data: post }), undefined);
  t.regex(
    answers.problemWith('GET', '/post/read', 200, { code: 'OK', data: { ...post, extra: 1 } }) ??
      '',
    /additional properties/,
  );
  t.regex(
    answers.problemWith('GET', '/post/read', 200, { code: 'OK', data: { ...post, likes: '0' } }) ??
      '',
    /data\/likes must be integer/,
  );
  // A code the route does not answer with that status.
  t.regex(
    answers.problemWith('GET', '/post/read', 404, { code: 'USR_05', message: 'Taken.' }) ?? '',
    /must be equal to one of the allowed values/,
  );
  t.regex(
    answers.problemWith('GET', '/nowhere', 200, { code: 'OK' }) ?? '',
    /the document has no GET \/nowhere/,
  );
  t.is(
    answers.problemWith('GET', '/nowhere', 404, { code: 'USR_01', message: 'Object not found.' }),
    undefined,
  );
  t.regex(answers.problemWith('GET', '/nowhere', 404, { code: 'USR_01' }) ?? '', /message/);
});
