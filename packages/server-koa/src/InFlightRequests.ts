import type { IncomingMessage, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Knows the requests whose handlers are still running, so that a stop can wait for them
 * rather than for their connections (a handler can outlive its connection, and a keep-alive
 * connection can outlive any one request), and can make every answer given while stopping
 * close its connection.
 *
 * @example const requests = new InFlightRequests(app.callback(), () => server.closeIdleConnections())
 */
export class InFlightRequests {
  readonly #handle: Handler;
  readonly #closeIdleConnections: () => void;
  readonly #running = new Map<ServerResponse, Promise<void>>();
  #stopping = false;

  constructor(handle: Handler, closeIdleConnections: () => void) {
    this.#handle = handle;
    this.#closeIdleConnections = closeIdleConnections;
  }

  /** The request listener to give `http.createServer`. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.#stopping) this.#closeAfterAnswer(res);
    const done = (): void => {
      this.#running.delete(res);
    };
    this.#running.set(res, this.#handle(req, res).then(done, done));
  };

  /** Handlers still running. */
  get size(): number {
    return this.#running.size;
  }

  /**
   * From now on every answer says `Connection: close` and closes its connection, the answers
   * being prepared included: a keep-alive client then sends its next request elsewhere
   * instead of keeping the stop waiting, and no request is cut off in the middle.
   */
  stopKeepingAlive(): void {
    this.#stopping = true;
    for (const res of this.#running.keys()) this.#closeAfterAnswer(res);
  }

  /** Resolves once no handler is running, or after `timeoutMs`; says whether all finished. */
  async settled(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      while (this.#running.size > 0) {
        const finished = await Promise.race([
          Promise.all(this.#running.values()).then(() => true),
          late,
        ]);
        if (!finished) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  #closeAfterAnswer(res: ServerResponse): void {
    if (!res.headersSent) {
      res.setHeader('Connection', 'close');
      return;
    }
    // Too late to say so: close the connection once it is idle again.
    res.once('close', () => setImmediate(this.#closeIdleConnections));
  }
}
