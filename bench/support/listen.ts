import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** An HTTP server the bench started; `origin` is where to send load. */
export interface BenchTarget {
  readonly origin: string;
  /**
   * Resolves when every request handler has finished, or after `timeoutMs`. The load
   * generator hangs up when its time is over, but the handlers of the requests it left
   * in flight still run (a queue of scrypt hashes takes seconds): the next case, or
   * closing the database, must not overlap with them. Resolves with how many are left.
   */
  readonly drain: (timeoutMs: number) => Promise<number>;
  /** Open connections, upgraded (WebSocket) ones included. */
  readonly connections: () => Promise<number>;
  /** Stops listening, cuts the connections and drains (up to 10 s). */
  close(): Promise<void>;
}

const CLOSE_DRAIN_MS = 10_000;

/**
 * Serves `listener` on 127.0.0.1 at a free port. The bench never listens on anything else.
 *
 * @example const target = await listenOnLoopback(app.callback())
 */
export async function listenOnLoopback(
  listener: RequestListener,
  configure: (server: Server) => void = () => undefined,
): Promise<BenchTarget> {
  const inFlight = new Set<Promise<unknown>>();
  // Koa's callback returns the promise of the whole middleware chain: that is "in flight".
  const server = createServer(function trackRequest(request, response) {
    const handled: unknown = listener(request, response);
    if (handled instanceof Promise) {
      const done = (): void => void inFlight.delete(handled);
      inFlight.add(handled);
      handled.then(done, done);
    }
  });
  configure(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  async function drain(timeoutMs: number): Promise<number> {
    const until = performance.now() + timeoutMs;
    while (inFlight.size > 0) {
      const left = until - performance.now();
      if (left <= 0) break;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        delay(left, undefined, { ref: false }),
      ]);
    }
    return inFlight.size;
  }

  return {
    origin: `http://127.0.0.1:${port}`,
    drain,
    connections: () =>
      new Promise<number>((resolve, reject) => {
        server.getConnections((error, count) => {
          if (error) reject(error);
          else resolve(count);
        });
      }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await drain(CLOSE_DRAIN_MS);
      await closed;
    },
  };
}
