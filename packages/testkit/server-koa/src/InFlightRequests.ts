import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

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
  /** The running requests of each connection, oldest first: one pipelines several. */
  readonly #bySocket = new Map<Socket, ServerResponse[]>();
  #stopping = false;

  constructor(handle: Handler, closeIdleConnections: () => void) {
    this.#handle = handle;
    this.#closeIdleConnections = closeIdleConnections;
  }

  /** The request listener to give `http.createServer`. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    const { socket } = req;
    const onSocket = this.#bySocket.get(socket);
    if (onSocket === undefined) this.#bySocket.set(socket, [res]);
    else onSocket.push(res);
    if (this.#stopping) this.#closeAfterLastAnswer(socket);
    const done = (): void => {
      this.#running.delete(res);
      const left = this.#bySocket.get(socket)?.filter((other) => other !== res) ?? [];
      if (left.length === 0) this.#bySocket.delete(socket);
      else this.#bySocket.set(socket, left);
    };
    this.#running.set(res, this.#handle(req, res).then(done, done));
  };

  /** Handlers still running. */
  get size(): number {
    return this.#running.size;
  }

  /**
   * From now on each connection's last answer says `Connection: close` and closes it, the
   * answers being prepared included: a keep-alive client then sends its next request
   * elsewhere instead of keeping the stop waiting, and no request is cut off in the middle.
   * Only the last: Node sends nothing on a connection after an answer that closes it, so a
   * pipelined request handled after it would be done and never answered.
   */
  stopKeepingAlive(): void {
    this.#stopping = true;
    for (const socket of this.#bySocket.keys()) this.#closeAfterLastAnswer(socket);
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

  #closeAfterLastAnswer(socket: Socket): void {
    const running = this.#bySocket.get(socket) ?? [];
    const last = running.at(-1);
    for (const res of running) {
      if (res !== last && !res.headersSent && res.getHeader('Connection') === 'close') {
        res.removeHeader('Connection');
      }
    }
    if (last === undefined) return;
    if (!last.headersSent) {
      last.setHeader('Connection', 'close');
      return;
    }
    // Too late to say so: close the connection once it is idle again.
    last.once('close', () => setImmediate(this.#closeIdleConnections));
  }
}
