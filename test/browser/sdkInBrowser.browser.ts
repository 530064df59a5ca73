/**
 * @plaza/client-sdk's universal entry in a real Chromium, with the browser's own fetch and
 * WebSocket. Not part of `npm test` (a fresh machine has no Chromium): `npm run test:browser`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import ts from 'typescript';
import type * as Sdk from '@plaza/client-sdk';
import { signUpFields, uniqueUsername } from '../support/builders.js';
import { withTimeout } from '../support/watchSocket.js';
import { launchChromium } from './chromium.js';
import { SDK_DIST, SDK_PATH, startSameOriginPlaza } from './sameOriginPlaza.js';

/** Every wait in the page (one request, opening live events, an event to arrive). */
const PAGE_WAIT_MS = 10_000;
/** The whole flow in the page, as Node sees it. */
const FLOW_MS = 60_000;
const MISSING_USER_ID = 999_999;

interface FlowInput {
  readonly sdkUrl: string;
  readonly waitMs: number;
  readonly ann: Sdk.SignUpInput;
  readonly bob: Sdk.SignUpInput;
  readonly missingUserId: number;
}

/** What the page reports back: plain JSON, asserted in Node. */
interface FlowSummary {
  readonly nativeFetch: boolean;
  readonly nativeWebSocket: boolean;
  readonly annId: number;
  readonly bobId: number;
  readonly postId: number;
  readonly liked: Sdk.PostLikeChange;
  readonly stateWhileListening: Sdk.ConnectionState;
  readonly me: { readonly user_id: number; readonly email: string | undefined };
  readonly failure: {
    readonly described: string;
    readonly isPlazaApiError: boolean;
    readonly instanceOfPlazaApiError: boolean;
    readonly instanceOfError: boolean;
    readonly name: string | undefined;
    readonly code: string | undefined;
    readonly status: number | undefined;
  };
}

/**
 * Runs inside the page, so it may use nothing from this module: Playwright sends its source.
 * It imports the SDK as a browser app would, and creates clients with no fetch or WebSocket.
 */
async function sdkFlow(input: FlowInput): Promise<FlowSummary> {
  const within = <T>(promise: Promise<T>, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`waited ${input.waitMs} ms in the page for ${what}`));
      }, input.waitMs);
      promise.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  const native = (value: unknown): boolean =>
    typeof value === 'function' &&
    Function.prototype.toString.call(value).includes('[native code]');

  const sdk = (await import(input.sdkUrl)) as typeof Sdk;
  const { origin } = (globalThis as unknown as { location: { origin: string } }).location;
  const ann = sdk.createClient(origin, { timeoutMs: input.waitMs });
  const bob = sdk.createClient(origin, { timeoutMs: input.waitMs });

  const annSession = await ann.auth.signup(input.ann);
  const bobSession = await bob.auth.signup(input.bob);
  const { post_id: postId } = await ann.posts.create({
    title: 'Written in a browser',
    text: "Sent with the page's own fetch.",
  });
  const liked = new Promise<Sdk.PostLikeChange>((resolve) => {
    const stop = ann.events.on('post.liked', (event) => {
      stop();
      resolve(event);
    });
  });
  await ann.events.connect();
  const stateWhileListening = ann.events.state;
  await bob.likes.like(postId);
  const likedEvent = await within(liked, 'post.liked');
  ann.events.close();

  const me = await ann.users.me();
  const failure = await bob.users.get(input.missingUserId).then(
    () => undefined,
    (error: unknown) => error,
  );
  const apiError = sdk.isPlazaApiError(failure) ? failure : undefined;

  return {
    nativeFetch: native(globalThis.fetch),
    nativeWebSocket: native((globalThis as { WebSocket?: unknown }).WebSocket),
    annId: annSession.user_id,
    bobId: bobSession.user_id,
    postId,
    liked: {
      id: likedEvent.id,
      post_id: likedEvent.post_id,
      by_user_id: likedEvent.by_user_id,
      likes: likedEvent.likes,
    },
    stateWhileListening,
    me: { user_id: me.user_id, email: me.email },
    failure: {
      described: String(failure),
      isPlazaApiError: sdk.isPlazaApiError(failure),
      instanceOfPlazaApiError: failure instanceof sdk.PlazaApiError,
      instanceOfError: failure instanceof Error,
      name: apiError?.name,
      code: apiError?.code,
      status: apiError?.status,
    },
  };
}

function newUser(prefix: string): Sdk.SignUpInput {
  const fields = signUpFields({ username: uniqueUsername(prefix) });
  return { username: fields['username']!, password: fields['password']!, email: fields['email']! };
}

/** The specifiers `file` imports or re-exports, static or dynamic, read by TypeScript's scanner. */
async function importsOf(file: string): Promise<string[]> {
  const source = await readFile(file, 'utf8');
  return ts.preProcessFile(source, true, true).importedFiles.map((imported) => imported.fileName);
}

test('the universal entry reaches only its own relative modules, never ws or node:', async (t) => {
  const reached = new Set<string>();
  const pending = ['index.js'];
  const outside: string[] = [];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (reached.has(name)) continue;
    reached.add(name);
    for (const specifier of await importsOf(join(SDK_DIST, name))) {
      // Relative, and in dist itself: what the page can fetch from /sdk/.
      const sibling = /^\.\/([\w.-]+\.js)$/.exec(specifier)?.[1];
      if (sibling === undefined) outside.push(`${name} imports '${specifier}'`);
      else pending.push(sibling);
    }
  }
  t.deepEqual(outside, []);
  t.true(reached.has('createClient.js'), [...reached].join(', '));
  t.false(reached.has('node.js'), 'the universal entry must not reach the Node entry');
});

test("the SDK works in Chromium with the browser's own fetch and WebSocket", async (t) => {
  const site = await startSameOriginPlaza();
  t.teardown(() => site.close());
  const browser = await launchChromium();
  t.teardown(() => browser.close());

  const page = await browser.newPage();
  page.setDefaultTimeout(PAGE_WAIT_MS);
  page.on('console', (message) => {
    t.log(`[console.${message.type()}] ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => t.log(`[uncaught in page] ${error.message}`));
  const fetched: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'fetch') fetched.push(`${request.method()} ${request.url()}`);
  });
  const sockets: string[] = [];
  page.on('websocket', (socket) => sockets.push(socket.url()));

  const loaded = await page.goto(`${site.url}/`);
  t.is(loaded?.status(), 200);

  const input: FlowInput = {
    sdkUrl: `${SDK_PATH}index.js`,
    waitMs: PAGE_WAIT_MS,
    ann: newUser('ann'),
    bob: newUser('bob'),
    missingUserId: MISSING_USER_ID,
  };
  const summary = await withTimeout(page.evaluate(sdkFlow, input), FLOW_MS, 'the flow in the page');

  t.true(summary.nativeFetch, 'the page has its own fetch');
  t.true(summary.nativeWebSocket, 'the page has its own WebSocket');
  t.not(summary.annId, summary.bobId);
  t.is(summary.stateWhileListening, 'open');
  t.like(summary.liked, { post_id: summary.postId, by_user_id: summary.bobId, likes: 1 });
  t.true(Number.isSafeInteger(summary.liked.id) && summary.liked.id > 0, 'with its inbox id');
  t.deepEqual(summary.me, { user_id: summary.annId, email: input.ann.email });
  t.deepEqual(summary.failure, {
    described: 'PlazaApiError: Object not found.',
    isPlazaApiError: true,
    instanceOfPlazaApiError: true,
    instanceOfError: true,
    name: 'PlazaApiError',
    code: 'USR_01',
    status: 404,
  });

  // The browser's network stack carried the traffic, not something the page was handed.
  const wsOrigin = site.url.replace(/^http:/, 'ws:');
  t.deepEqual(sockets, [`${wsOrigin}/user-watch?format=json`]);
  t.true(fetched.includes(`POST ${site.url}/user/data`), fetched.join('\n'));
  t.true(fetched.includes(`POST ${site.url}/post/like`), fetched.join('\n'));
});
