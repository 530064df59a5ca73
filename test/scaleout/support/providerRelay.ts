import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../fakes/listenOnLoopback.js';

/** One look-up that reached a relay. */
export interface RelayedLookUp {
  /** The `email` query parameter ('' when missing). */
  readonly email: string;
  /** `Date.now()` when the request arrived. */
  readonly at: number;
}

export interface ProviderRelayOptions {
  /** Wait this long before passing a request on (default 0). */
  readonly delayMs?: number;
  /** Pass nothing on and never answer (until `close()`): the look-ups stay in flight. */
  readonly hold?: boolean;
}

/**
 * An HTTP relay in front of a provider fake, one per Plaza instance: each instance gets its
 * own relay as its provider URL, so what a relay received is what that instance asked for.
 * The fake behind it answers; the relay only records, and may delay or hold requests.
 */
export interface ProviderRelay {
  /** Base URL to give the instance (no trailing slash). */
  readonly url: string;
  /** Look-ups received so far, in order (a copy). */
  readonly lookUps: readonly RelayedLookUp[];
  /** Emails of the look-ups received and not answered yet. */
  readonly inFlight: readonly string[];
  /** Stops listening and drops open connections, held ones included. */
  close(): Promise<void>;
}

/**
 * Starts a relay on 127.0.0.1 that passes `GET` requests (path, query and Authorization
 * header) on to `target` and sends back its status and body.
 *
 * @example const relay = await startProviderRelay(clearbit.url, { delayMs: 200 })
 */
export async function startProviderRelay(
  target: string,
  options: ProviderRelayOptions = {},
): Promise<ProviderRelay> {
  const lookUps: RelayedLookUp[] = [];
  const inFlight = new Map<object, string>();

  const server = createServer((req, res) => {
    const email = new URL(req.url ?? '/', 'http://relay').searchParams.get('email') ?? '';
    lookUps.push({ email, at: Date.now() });
    const key = {};
    inFlight.set(key, email);
    res.on('close', () => inFlight.delete(key));
    if (options.hold === true) return;
    setTimeout(() => void relay(req, res), options.delayMs ?? 0);
  });

  async function relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const headers: Record<string, string> = {};
      if (req.headers.authorization !== undefined) {
        headers['authorization'] = req.headers.authorization;
      }
      const answer = await fetch(`${target}${req.url ?? '/'}`, { headers });
      const body = Buffer.from(await answer.arrayBuffer());
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/octet-stream',
      });
      res.end(body);
    } catch {
      // The fake is gone (the test is ending) or the instance left: nothing to answer.
      res.destroy();
    }
  }

  const url = await listenOnLoopback(server);
  return {
    url,
    get lookUps() {
      return [...lookUps];
    },
    get inFlight() {
      return [...inFlight.values()];
    },
    close() {
      if (!server.listening) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
