import type { TestFn } from 'ava';
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import { WAIT_LIMIT_MS } from '@plaza/testkit';
import { startInProcessTarget, type InProcessTarget } from './apiTarget.js';
import type { SignedUpUser } from './builders.js';
import { Api } from './http.js';

/**
 * Every wait in these helpers gives up after this long, so a broken server fails in the end;
 * a ceiling for a saturated machine, never reached by a passing test (see WAIT_LIMIT_MS).
 */
export const WAIT_MS = WAIT_LIMIT_MS;

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export interface WatchClientOptions {
  /** `json` opens `/user-watch?format=json`. */
  readonly format?: 'text' | 'json';
  /** Options of the `ws` client, such as `autoPong: false`. */
  readonly client?: ClientOptions;
}

/**
 * A real `ws` client of `/user-watch` that queues what it receives, so a test can take
 * frames in order with bounded waits.
 *
 * @example const watch = await openWatchSocket(baseUrl); watch.send(`/auth ${token}`)
 */
export class WatchClient {
  readonly socket: WebSocket;
  /** Pings received from the server so far. */
  pings = 0;
  readonly #frames: string[] = [];
  #waiter: (() => void) | undefined;
  readonly #closed: Promise<CloseInfo>;

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data: RawData) => {
      this.#frames.push(textOf(data));
      this.#wake();
    });
    socket.on('ping', () => {
      this.pings += 1;
      this.#wake();
    });
    this.#closed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString('utf8') });
        this.#wake();
      });
    });
    // A reset while a test looks elsewhere must not crash the run; `closed()` tells.
    socket.on('error', () => undefined);
  }

  send(message: string | Buffer): void {
    this.socket.send(message);
  }

  /** The next text frame; rejects after `timeoutMs`. */
  async next(timeoutMs = WAIT_MS): Promise<string> {
    await this.#until(() => this.#frames.length > 0, timeoutMs, 'a message');
    return this.#frames.shift() as string;
  }

  /** The next frame, parsed as JSON. */
  async nextJson(timeoutMs = WAIT_MS): Promise<unknown> {
    return JSON.parse(await this.next(timeoutMs)) as unknown;
  }

  /** Resolves when `ms` pass with nothing received; rejects with the first frame otherwise. */
  async expectNoMessage(ms = 300): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const [first] = this.#frames;
    if (first !== undefined) throw new Error(`expected no message, got: ${first.slice(0, 200)}`);
  }

  /** How the socket closed; rejects if it is still open after `timeoutMs`. */
  async closed(timeoutMs = WAIT_MS): Promise<CloseInfo> {
    return withTimeout(this.#closed, timeoutMs, 'the socket to close');
  }

  /** Resolves once the server has pinged `count` times in all. */
  async pinged(count: number, timeoutMs = WAIT_MS): Promise<void> {
    await this.#until(() => this.pings >= count, timeoutMs, `${count} pings`);
  }

  /** Frames received and not yet taken. */
  get pending(): number {
    return this.#frames.length;
  }

  /** Drops the frames received so far. */
  discard(): void {
    this.#frames.length = 0;
  }

  close(): void {
    this.socket.close();
  }

  async #until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.readyState === WebSocket.CLOSED) {
        const state = this.socket.readyState === WebSocket.CLOSED ? ' (the socket closed)' : '';
        throw new Error(`waited ${timeoutMs} ms for ${what}${state}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }

  #wake(): void {
    this.#waiter?.();
  }
}

/** The `ws://` address of `/user-watch` on the server at `baseUrl`. */
export function watchUrl(baseUrl: string, format: 'text' | 'json' = 'text'): string {
  const url = `${baseUrl.replace(/^http/, 'ws')}/user-watch`;
  return format === 'json' ? `${url}?format=json` : url;
}

/** Opens a socket to `/user-watch` and waits (bounded) for the handshake. */
export async function openWatchSocket(
  baseUrl: string,
  options: WatchClientOptions = {},
): Promise<WatchClient> {
  const socket = new WebSocket(watchUrl(baseUrl, options.format), {
    handshakeTimeout: WAIT_MS,
    ...options.client,
  });
  const client = new WatchClient(socket);
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    }),
    WAIT_MS,
    'the WebSocket handshake',
  );
  return client;
}

/** Opens a text-protocol socket and authenticates it, checking the `ok:` answer. */
export async function openAuthenticated(
  baseUrl: string,
  token: string,
  userId: number,
): Promise<WatchClient> {
  const client = await openWatchSocket(baseUrl);
  client.send(`/auth ${token}`);
  const answer = await client.next();
  if (answer !== `ok: user_id=${userId}`) throw new Error(`authentication answered ${answer}`);
  return client;
}

/** Opens a JSON-protocol socket and authenticates it, checking the `ready` answer. */
export async function openAuthenticatedJson(
  baseUrl: string,
  token: string,
  userId: number,
): Promise<WatchClient> {
  const client = await openWatchSocket(baseUrl, { format: 'json' });
  client.send(JSON.stringify({ type: 'auth', token }));
  const answer = await client.next();
  const expected = JSON.stringify({ type: 'ready', user_id: userId });
  if (answer !== expected) throw new Error(`authentication answered ${answer}`);
  return client;
}

/** What a file of `/user-watch` tests shares: see `useWatchTarget`. */
export interface WatchContext {
  readonly target: InProcessTarget;
  readonly api: Api;
  /** The sockets the file's tests opened, terminated after the file. */
  readonly clients: WatchClient[];
}

/** A test (or hook) of a file that called `useWatchTarget`. */
interface WatchTest {
  readonly context: WatchContext;
}

/**
 * Starts one in-process server per test file; after the file, terminates every socket opened
 * with `openWatch` / `openWatchAs` and stops the server.
 *
 * @example const test = anyTest as TestFn<WatchContext>; useWatchTarget(test)
 */
export function useWatchTarget(test: TestFn<WatchContext>): void {
  test.before(async (t) => {
    const target = await startInProcessTarget();
    t.context = { target, api: new Api(target.baseUrl), clients: [] };
  });
  test.after.always(async (t) => {
    for (const client of t.context.clients) client.socket.terminate();
    await t.context.target.close();
  });
}

/** A socket of the file's server, not yet authenticated; terminated after the file. */
export async function openWatch(t: WatchTest, options?: WatchClientOptions): Promise<WatchClient> {
  return tracked(t, await openWatchSocket(t.context.target.baseUrl, options));
}

/** A socket of the file's server authenticated as `user`; terminated after the file. */
export async function openWatchAs(
  t: WatchTest,
  user: Pick<SignedUpUser, 'token' | 'userId'>,
  format: 'text' | 'json',
): Promise<WatchClient> {
  const open = format === 'json' ? openAuthenticatedJson : openAuthenticated;
  return tracked(t, await open(t.context.target.baseUrl, user.token, user.userId));
}

function tracked(t: WatchTest, client: WatchClient): WatchClient {
  t.context.clients.push(client);
  return client;
}

/** Rejects when `promise` has not settled after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * An event frame without its inbox `id`, which it must carry (a positive whole number): for
 * comparing the rest of the frame whole.
 */
export function withoutId(frame: unknown): Record<string, unknown> {
  const { id, ...rest } = frame as Record<string, unknown>;
  if (!Number.isSafeInteger(id) || (id as number) < 1) {
    throw new Error(`the event frame has no inbox id: ${JSON.stringify(frame)}`);
  }
  return rest;
}
