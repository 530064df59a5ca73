import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Writable } from 'node:stream';
import test from 'ava';
import { pino, type Logger } from 'pino';
import { answerClientErrors } from './clientErrors.js';

/** A socket that keeps what is written to it, and the response under way on it, if any. */
function fakeSocket(inFlight?: Partial<ServerResponse>): {
  socket: Duplex;
  written: () => string;
  destroyed: () => boolean;
} {
  let written = '';
  let destroyed = false;
  const socket = {
    writable: true,
    _httpMessage: inFlight ?? null,
    write: (chunk: string) => (written += chunk),
    destroy: () => (destroyed = true),
  };
  return {
    socket: socket as unknown as Duplex,
    written: () => written,
    destroyed: () => destroyed,
  };
}

function collectingLogger(): { logger: Logger; lines: () => string[] } {
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString('utf8');
      done();
    },
  });
  return { logger: pino(sink), lines: () => logged.split('\n').filter((line) => line !== '') };
}

const parserError = (code: string): NodeJS.ErrnoException =>
  Object.assign(new Error('Parse Error'), {
    code,
    rawPacket: Buffer.from('POST / HTTP/1.1\r\nAuthorization: JWT secret-token\r\n'),
  });

test('answers in the error format with a new id, logs that id and never the raw request', (t) => {
  const { logger, lines } = collectingLogger();
  const { socket, written, destroyed } = fakeSocket();
  answerClientErrors(logger)(parserError('HPE_HEADER_OVERFLOW'), socket);

  const [head = '', body = ''] = written().split('\r\n\r\n');
  t.regex(head, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  t.deepEqual(JSON.parse(body), { code: 'USR_02', message: 'The request headers are too large.' });
  const requestId = /\r\nX-Request-Id: ([0-9a-f-]{36})\r\n/.exec(head)?.[1];
  t.truthy(requestId);
  t.true(destroyed());
  t.is(lines().length, 1);
  t.like(JSON.parse(lines()[0] ?? '{}'), {
    req_id: requestId,
    status: 431,
    error: 'HPE_HEADER_OVERFLOW',
  });
  t.false(lines().join('').includes('secret-token'));
});

test('a request under way keeps the id it was given', (t) => {
  const { logger, lines } = collectingLogger();
  const inFlight = { headersSent: false, getHeader: () => 'trace-7' };
  const { socket, written } = fakeSocket(inFlight);
  answerClientErrors(logger)(
    Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }),
    socket,
  );
  t.regex(written(), /^HTTP\/1\.1 408 Request Timeout\r\n[^]*\r\nX-Request-Id: trace-7\r\n/);
  t.like(JSON.parse(lines()[0] ?? '{}'), { req_id: 'trace-7', status: 408 });
});

test('nothing is written once an answer has started, or to a reset connection', (t) => {
  const { logger, lines } = collectingLogger();
  const started = fakeSocket({ headersSent: true, getHeader: () => 'trace-8' });
  answerClientErrors(logger)(parserError('HPE_INVALID_METHOD'), started.socket);
  const reset = fakeSocket();
  answerClientErrors(logger)(parserError('ECONNRESET'), reset.socket);
  t.is(started.written() + reset.written(), '');
  t.true(started.destroyed() && reset.destroyed());
  t.deepEqual(lines(), []);
});
