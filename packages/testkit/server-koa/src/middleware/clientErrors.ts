import type { Duplex } from 'node:stream';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { requestIdFor } from './requestId.js';

const STATUS_LINES: Readonly<Record<number, string>> = {
  400: '400 Bad Request',
  408: '408 Request Timeout',
  431: '431 Request Header Fields Too Large',
};

/** What Node's parser gave up on, in SPEC's error format. */
function answerFor(error: NodeJS.ErrnoException): { status: number; message: string } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'The request did not arrive in time.' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'The request headers are too large.' };
    default:
      return { status: 400, message: 'The request cannot be read.' };
  }
}

/** The id `requestLog` gave a request that is under way on this connection, if any. */
function idInFlight(response: ServerResponse | null | undefined): string | undefined {
  const id = response?.getHeader('x-request-id');
  return typeof id === 'string' ? id : undefined;
}

/**
 * The `clientError` listener of a Node HTTP server: requests Node cannot parse (a bare CR,
 * headers over its limit, a garbled request line) or that timed out get SPEC's JSON error
 * body, an `X-Request-Id` (the one of the request under way, if its headers were read; else a
 * new one) and a log line under that id, instead of Node's empty answer. As Node does, it
 * answers only when no answer of this connection has started, then closes the connection.
 *
 * @example server.on('clientError', answerClientErrors(logger))
 */
export function answerClientErrors(
  logger: Logger,
): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  return function answerClientError(error, socket) {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code !== 'ECONNRESET' && socket.writable && inFlight?.headersSent !== true) {
      const { status, message } = answerFor(error);
      const requestId = requestIdFor(idInFlight(inFlight));
      // Never the raw request (error.rawPacket): it may hold passwords and tokens.
      logger.info({ req_id: requestId, status, error: error.code }, 'request refused by node:http');
      const body = JSON.stringify({ code: 'USR_02', message });
      socket.write(
        `HTTP/1.1 ${STATUS_LINES[status] ?? String(status)}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          'X-Content-Type-Options: nosniff\r\n' +
          'Cache-Control: no-store\r\n' +
          `X-Request-Id: ${requestId}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy();
  };
}
