/**
 * The WebSocket server under test, in a process of its own so that its memory holds only
 * the server's side of each socket (the clients live in the bench process). Started by
 * wsServerProcess.ts with `--expose-gc`; takes a `WsServerStart`, answers `WsServerStarted`,
 * then serves `WsServerCall`s over IPC until `close`, or exits when the bench goes away.
 */
import { performance } from 'node:perf_hooks';
import { startBareHost } from './wsBareHost.js';
import { startPlazaHost } from './wsPlazaHost.js';
import type {
  MemorySnapshot,
  WsHost,
  WsServerAnswers,
  WsServerCall,
  WsServerReply,
  WsServerRequest,
  WsServerStart,
  WsServerStarted,
} from './wsServerProtocol.js';

/** Closing waits this long for sockets and the database before the process just exits. */
const CLOSE_LIMIT_MS = 5000;

function memory(): MemorySnapshot {
  if (globalThis.gc === undefined) throw new Error('wsServer needs node --expose-gc');
  globalThis.gc();
  globalThis.gc();
  const { heapUsed, heapTotal, rss, external, arrayBuffers } = process.memoryUsage();
  return { heapUsed, heapTotal, rss, external, arrayBuffers };
}

async function answer(
  host: WsHost,
  request: WsServerRequest,
): Promise<WsServerAnswers[keyof WsServerAnswers]> {
  switch (request.type) {
    case 'memory':
      return memory();
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      return { micros: user + system };
    }
    case 'clock':
      return { now: performance.timeOrigin + performance.now() };
    case 'connections':
      return { count: await host.connections() };
    case 'trigger':
      return { triggered: await host.trigger(request.userIds, request.perSecond) };
    case 'hold':
      host.hold();
      return { holding: true };
    case 'release': {
      const at = performance.timeOrigin + performance.now();
      return { at, released: host.release() };
    }
    case 'status':
      return { held: host.held() };
    case 'times':
      return host.times();
    case 'close':
      await Promise.race([
        host.close(),
        new Promise((resolve) => setTimeout(resolve, CLOSE_LIMIT_MS).unref()),
      ]);
      return { closed: true };
  }
}

function send(message: WsServerStarted | WsServerReply): void {
  process.send?.(message);
}

function serve(host: WsHost): void {
  process.on('message', (call: WsServerCall) => {
    answer(host, call.request).then(
      (value) => {
        send({ id: call.id, ok: true, value });
        if (call.request.type === 'close') process.disconnect();
      },
      (error: unknown) => {
        send({
          id: call.id,
          ok: false,
          message: error instanceof Error ? error.message : String(error),
        });
      },
    );
  });
}

// The bench went away (or closed us): nothing is left to do here.
process.on('disconnect', () => process.exit(0));

process.once('message', (start: WsServerStart) => {
  const started = performance.now();
  (start.kind === 'plaza' ? startPlazaHost(start) : startBareHost(start)).then(
    (host) => {
      send({
        type: 'ready',
        origin: host.origin,
        userIds: host.userIds,
        seedMs: performance.now() - started,
      });
      serve(host);
    },
    (error: unknown) => {
      send({
        type: 'failed',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      process.disconnect();
    },
  );
});
