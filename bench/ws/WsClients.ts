import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { textOf } from './textOf.js';
import { TEXT_NOTICE } from './server/wsServerProtocol.js';

const now = (): number => performance.timeOrigin + performance.now();

/** One client socket to open: whose token, and which protocol. */
export interface ClientSpec {
  readonly userId: number;
  readonly token: string;
  readonly format: 'text' | 'json';
}

/** Problems kept word for word; beyond this many, only counted. */
const MAX_PROBLEMS = 5;

/**
 * Client sockets to `/user-watch` (or the bare server), opened and authenticated from the
 * bench process, which then records when each notice arrives, timed as the first thing in
 * the `message` listener. A notice is checked: it must be an `enrichment.completed` for
 * the socket's own user (JSON), or the text protocol's notice.
 *
 * @example const clients = await WsClients.connect(origin, specs); await clients.waitForNotices(500)
 */
export class WsClients {
  /** User id → when each of its notices arrived (clock: this process's). */
  readonly arrivals = new Map<number, number[]>();
  /** Notices received, and their bytes. */
  notices = 0;
  noticeBytes = 0;
  /** Anything unexpected after authentication: wrong frames, errors, sockets closed. */
  readonly problems: string[] = [];
  problemCount = 0;
  readonly #sockets: WebSocket[] = [];
  #closing = false;
  /** Who waits, for how many notices in all. */
  #enough: { readonly count: number; readonly resolve: () => void } | undefined;

  /**
   * Opens a socket per spec, `inFlight` handshakes at a time, and resolves once every one
   * was answered `ok: user_id=N` / `{"type":"ready",…}` for its own user. Rejects on the
   * first refusal, or after `limitMs` in all; the sockets opened so far are then closed.
   */
  static async connect(
    origin: string,
    specs: readonly ClientSpec[],
    options: { readonly inFlight?: number; readonly limitMs?: number } = {},
  ): Promise<WsClients> {
    const clients = new WsClients();
    const limitMs = options.limitMs ?? 60_000;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < specs.length) {
        const spec = specs[next++]!;
        await clients.#open(origin, spec, limitMs);
      }
    };
    const timeout = new AbortController();
    try {
      await Promise.race([
        Promise.all(Array.from({ length: options.inFlight ?? 100 }, worker)),
        delay(limitMs, undefined, { signal: timeout.signal }).then(() => {
          throw new Error(
            `${specs.length} sockets were not all authenticated within ${limitMs} ms`,
          );
        }),
      ]);
      return clients;
    } catch (error) {
      clients.close();
      throw error;
    } finally {
      timeout.abort();
      // Stops the workers that are still opening sockets.
      next = specs.length;
    }
  }

  get size(): number {
    return this.#sockets.length;
  }

  /** Resolves once `count` notices arrived in all; rejects after `limitMs`. */
  async waitForNotices(count: number, limitMs: number): Promise<void> {
    if (this.notices >= count) return;
    const timeout = new AbortController();
    try {
      await Promise.race([
        new Promise<void>((resolve) => {
          this.#enough = { count, resolve };
        }),
        delay(limitMs, undefined, { signal: timeout.signal }).then(() => {
          throw new Error(`${this.notices} notices of ${count} arrived within ${limitMs} ms`);
        }),
      ]);
    } finally {
      timeout.abort();
      this.#enough = undefined;
    }
  }

  /** Cuts every socket at once (no closing handshake). */
  close(): void {
    this.#closing = true;
    for (const socket of this.#sockets) socket.terminate();
  }

  #problem(problem: string): void {
    this.problemCount += 1;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem);
  }

  #open(origin: string, spec: ClientSpec, limitMs: number): Promise<void> {
    const json = spec.format === 'json';
    const socket = new WebSocket(`${origin}/user-watch${json ? '?format=json' : ''}`, {
      perMessageDeflate: false,
      handshakeTimeout: limitMs,
    });
    this.#sockets.push(socket);
    const ready = json
      ? JSON.stringify({ type: 'ready', user_id: spec.userId })
      : `ok: user_id=${spec.userId}`;
    return new Promise<void>((resolve, reject) => {
      let authenticated = false;
      socket.on('open', () => {
        socket.send(
          json ? JSON.stringify({ type: 'auth', token: spec.token }) : `/auth ${spec.token}`,
        );
      });
      socket.on('message', (data) => {
        const at = now();
        const text = textOf(data);
        if (!authenticated) {
          if (text !== ready) {
            reject(new Error(`user ${spec.userId}: expected ${ready}, got ${text.slice(0, 200)}`));
            return;
          }
          authenticated = true;
          resolve();
          return;
        }
        this.#received(spec, text, at);
      });
      socket.on('error', (error) => {
        if (!authenticated) reject(error);
        else if (!this.#closing) this.#problem(`user ${spec.userId}: ${error.message}`);
      });
      socket.on('close', (code) => {
        if (!authenticated) reject(new Error(`user ${spec.userId}: closed (${code}) before ready`));
        else if (!this.#closing) this.#problem(`user ${spec.userId}: closed (${code})`);
      });
    });
  }

  #received(spec: ClientSpec, text: string, at: number): void {
    if (!isNoticeFor(spec, text)) {
      this.#problem(`user ${spec.userId}: unexpected ${text.slice(0, 200)}`);
      return;
    }
    let times = this.arrivals.get(spec.userId);
    if (times === undefined) this.arrivals.set(spec.userId, (times = []));
    times.push(at);
    this.notices += 1;
    this.noticeBytes += Buffer.byteLength(text);
    if (this.#enough !== undefined && this.notices >= this.#enough.count) this.#enough.resolve();
  }
}

function isNoticeFor(spec: ClientSpec, text: string): boolean {
  if (spec.format === 'text') return text === TEXT_NOTICE;
  try {
    const event = JSON.parse(text) as { type?: unknown; user_id?: unknown };
    return event.type === 'enrichment.completed' && event.user_id === spec.userId;
  } catch {
    return false;
  }
}
