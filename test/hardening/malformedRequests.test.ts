import { connect } from 'node:net';
import test from 'ava';
import { startInProcessTarget } from '../support/apiTarget.js';

/** Sends `raw` over a fresh TCP connection and collects everything until the server closes. */
function exchange(baseUrl: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(raw));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
}

function statusAndBody(answer: string): { status: number; body: unknown; head: string } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body), head };
}

test('requests Node cannot parse get SPEC error bodies, not empty ones', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());

  const unknownMethod = statusAndBody(
    await exchange(target.baseUrl, 'FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n'),
  );
  t.is(unknownMethod.status, 400);
  t.deepEqual(unknownMethod.body, { code: 'USR_02', message: 'The request cannot be read.' });
  t.regex(unknownMethod.head, /content-type: application\/json/i);

  const hugeHeaders = statusAndBody(
    await exchange(
      target.baseUrl,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`,
    ),
  );
  t.is(hugeHeaders.status, 431);
  t.deepEqual(hugeHeaders.body, { code: 'USR_02', message: 'The request headers are too large.' });

  const garbage = statusAndBody(await exchange(target.baseUrl, 'hello\r\n\r\n'));
  t.is(garbage.status, 400);

  const health = await fetch(`${target.baseUrl}/healthz`);
  t.is(health.status, 200, 'the server goes on serving');
});
