import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/** One request exactly as a hostile client would send it. */
export interface RawRequest {
  readonly method: string;
  /** Path and query string, already percent-encoded. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body as text; empty for HEAD and for answers without one. */
  readonly text: string;
}

/**
 * Sends a request over node:http rather than fetch, which would refuse or rewrite some of
 * what the hardening tests send (odd methods, bodies on GET, raw percent sequences). A body
 * always goes with its Content-Length. The answer counts once it has arrived, even if the
 * server then closes the connection before the whole body was sent (as a 413 may).
 *
 * @example const answer = await sendRaw(baseUrl, { method: 'PROPFIND', path: '/post/read' })
 */
export function sendRaw(baseUrl: string, raw: RawRequest, agent?: Agent): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = raw.body === undefined ? undefined : Buffer.from(raw.body);
  const headers: Record<string, string> = { ...raw.headers };
  if (body !== undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: raw.method,
        path: raw.path,
        headers,
        ...(agent === undefined ? {} : { agent }),
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('close', () => {
          if (!response.complete) reject(new Error(`the answer to ${raw.method} was cut short`));
        });
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    outgoing.end(body);
  });
}
