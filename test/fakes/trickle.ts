import type { ServerResponse } from 'node:http';

/**
 * Sends the headers, then `body` one byte per `intervalMs`; stops when the client leaves.
 * How the fakes imitate a provider that answers, but too slowly.
 */
export function trickle(
  res: ServerResponse,
  status: number,
  body: string,
  intervalMs: number,
): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(bytes.length),
  });
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    if (sent >= bytes.length) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(bytes.subarray(sent, sent + 1));
    sent += 1;
  }, intervalMs);
  res.on('close', () => clearInterval(timer));
}
