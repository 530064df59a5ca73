import { connect } from 'node:net';

/** An answer read off a plain TCP connection. */
export interface SocketAnswer {
  readonly status: number;
  /** Header names in lower case; a repeated header's values joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Writes `bytes` exactly as given over a new TCP connection (what node:http would refuse to
 * send: bare CRs, garbage request lines, no Host) and reads one answer: until its
 * Content-Length is in, or until the server hangs up.
 *
 * @example const answer = await sendBytes(baseUrl, 'hello\r\n\r\n')
 */
export function sendBytes(baseUrl: string, bytes: string): Promise<SocketAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let received = '';
    let finished = false;
    const socket = connect(Number(port), hostname, () => socket.write(bytes, 'latin1'));
    const finish = (): void => {
      if (finished) return;
      finished = true;
      socket.destroy();
      try {
        resolve(parseAnswer(received));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (isComplete(received)) finish();
    });
    socket.on('close', finish);
    // A reset after the answer arrived still leaves the answer to read; `close` follows.
    socket.on('error', () => undefined);
  });
}

function isComplete(received: string): boolean {
  const end = received.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(received.slice(0, end))?.[1];
  return length !== undefined && received.length - end - 4 >= Number(length);
}

function parseAnswer(received: string): SocketAnswer {
  const end = received.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no complete answer: ${JSON.stringify(received.slice(0, 200))}`);
  const [statusLine = '', ...lines] = received.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status, headers, body: received.slice(end + 4) };
}
