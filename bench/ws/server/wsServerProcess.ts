import { fork } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { onExit } from '../../support/exitCleanup.js';
import type {
  WsServerAnswers,
  WsServerCall,
  WsServerReply,
  WsServerRequest,
  WsServerStart,
  WsServerStarted,
} from './wsServerProtocol.js';

const SERVER = new URL('./wsServer.js', import.meta.url);
const START_LIMIT_MS = 60_000;
const ASK_LIMIT_MS = 60_000;
const EXIT_LIMIT_MS = 10_000;

/** The WebSocket server child, seen from the bench. */
export interface WsServerProcess {
  readonly pid: number;
  /** `ws://127.0.0.1:PORT` */
  readonly origin: string;
  readonly userIds: readonly number[];
  readonly seedMs: number;
  /** Asks the child; rejects after `limitMs` (default 60 s), or if it fails or dies. */
  ask<K extends WsServerRequest['type']>(
    request: Extract<WsServerRequest, { type: K }>,
    limitMs?: number,
  ): Promise<WsServerAnswers[K]>;
  /** Asks the child to close, and kills it if it has not exited 10 s later. Never throws. */
  close(): Promise<void>;
}

type Pending = (reply: WsServerReply) => void;

/**
 * Forks wsServer.js with `--expose-gc`, hands it `start`, and resolves once it listens and
 * its users exist. Bounded: a child that does not start within 60 s is killed.
 *
 * @example const server = await startWsServer({ kind: 'plaza', users: 5000, … })
 */
export async function startWsServer(start: WsServerStart): Promise<WsServerProcess> {
  // Only what the server needs: a --cpu-prof given to the bench must not apply to it.
  const child = fork(SERVER, {
    execArgv: ['--expose-gc', '--enable-source-maps'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const forget = onExit(() => child.kill('SIGKILL'));
  child.once('exit', forget);
  const exited = once(child, 'exit').then(
    () => undefined,
    () => undefined,
  );
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let gone: string | undefined;

  child.on('exit', (code, signal) => {
    gone = `the WebSocket server exited (${signal ?? `code ${code}`})`;
    for (const settle of pending.values()) settle({ id: 0, ok: false, message: gone });
    pending.clear();
  });

  async function kill(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.race([exited, delay(EXIT_LIMIT_MS, undefined, { ref: false })]);
  }

  let started: WsServerStarted;
  try {
    started = await new Promise<WsServerStarted>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`the ${start.kind} WebSocket server did not start within ${START_LIMIT_MS} ms`),
        );
      }, START_LIMIT_MS);
      child.once('message', (message: WsServerStarted) => {
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(gone));
      });
      child.once('error', reject);
      child.send(start);
    });
  } catch (error) {
    await kill();
    throw error;
  }
  if (started.type === 'failed') {
    await kill();
    throw new Error(`the ${start.kind} WebSocket server failed to start: ${started.message}`);
  }

  child.on('message', (reply: WsServerReply) => {
    pending.get(reply.id)?.(reply);
  });

  function ask<K extends WsServerRequest['type']>(
    request: Extract<WsServerRequest, { type: K }>,
    limitMs = ASK_LIMIT_MS,
  ): Promise<WsServerAnswers[K]> {
    if (gone !== undefined) return Promise.reject(new Error(gone));
    const id = nextId++;
    return new Promise<WsServerAnswers[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(
          new Error(`the WebSocket server did not answer "${request.type}" within ${limitMs} ms`),
        );
      }, limitMs);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        pending.delete(id);
        if (reply.ok) resolve(reply.value as WsServerAnswers[K]);
        else reject(new Error(`the WebSocket server failed "${request.type}": ${reply.message}`));
      });
      const call: WsServerCall = { id, request };
      child.send(call);
    });
  }

  return {
    pid: child.pid ?? 0,
    origin: started.origin,
    userIds: started.userIds,
    seedMs: started.seedMs,
    ask,
    async close() {
      try {
        if (gone === undefined) await ask({ type: 'close' }, EXIT_LIMIT_MS);
        await Promise.race([exited, delay(EXIT_LIMIT_MS, undefined, { ref: false })]);
      } catch {
        // Killed below.
      }
      await kill();
    },
  };
}
