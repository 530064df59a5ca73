import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { sendBytes, type SocketAnswer } from '../support/rawSocket.js';

interface Context {
  readonly target: InProcessTarget;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  t.context = { target: await startInProcessTarget() };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A request Node refuses before any route, and the same request without the fault. */
interface Refusal {
  readonly what: string;
  readonly bytes: string;
  readonly status: number;
  readonly message: string;
  readonly twin?: string;
}

const REFUSALS: readonly Refusal[] = [
  {
    what: 'a bare CR in a header value',
    bytes: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\rb\r\n\r\n',
    twin: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a b\r\n\r\n',
    status: 400,
    message: 'The request cannot be read.',
  },
  {
    what: 'a 20 kB header',
    bytes: `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`,
    twin: `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(2_000)}\r\n\r\n`,
    status: 431,
    message: 'The request headers are too large.',
  },
  {
    what: 'a garbage request line',
    bytes: 'hello\r\n\r\n',
    status: 400,
    message: 'The request cannot be read.',
  },
  {
    what: 'an unknown method',
    bytes: 'FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    twin: 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    status: 400,
    message: 'The request cannot be read.',
  },
  {
    what: 'an HTTP/1.1 request without Host',
    bytes: 'GET /healthz HTTP/1.1\r\n\r\n',
    twin: 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    status: 400,
    message: 'The request has no Host header.',
  },
  {
    what: 'an Expect header other than 100-continue',
    bytes: 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n',
    twin: 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    status: 417,
    message: 'The Expect header cannot be met.',
  },
];

/** The server's log entries for one request id. */
function logEntriesOf(target: InProcessTarget, requestId: string): Array<Record<string, unknown>> {
  return target
    .logs()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry['req_id'] === requestId);
}

/** SPEC's error format and a request id (a new UUID unless `requestId` says), logged. */
function checkRefusal(
  t: ExecutionContext,
  target: InProcessTarget,
  answer: SocketAnswer,
  expected: { readonly status: number; readonly message: string; readonly requestId?: RegExp },
): void {
  t.is(answer.status, expected.status, answer.body);
  t.regex(answer.headers['content-type'] ?? '', /^application\/json/, 'a JSON body');
  t.deepEqual(JSON.parse(answer.body), { code: 'USR_02', message: expected.message });
  const requestId = answer.headers['x-request-id'] ?? '';
  t.regex(requestId, expected.requestId ?? UUID, 'an X-Request-Id');
  t.true(
    logEntriesOf(target, requestId).some((entry) => entry['status'] === answer.status),
    'a log line carries the id and the status',
  );
}

for (const refusal of REFUSALS) {
  test(`${refusal.what}: ${refusal.status} with an X-Request-Id, SPEC's error body and a log line`, async (t) => {
    const { baseUrl } = t.context.target;
    if (refusal.twin !== undefined) {
      t.is((await sendBytes(baseUrl, refusal.twin)).status, 200, 'without the fault it is served');
    }
    const first = await sendBytes(baseUrl, refusal.bytes);
    checkRefusal(t, t.context.target, first, refusal);
    const second = await sendBytes(baseUrl, refusal.bytes);
    t.not(second.headers['x-request-id'], first.headers['x-request-id'], 'one id per request');
  });
}

test('timeouts: 408 in the error format with an id; a request under way keeps its own', async (t) => {
  const target = await startInProcessTarget(
    {},
    { timeouts: { headersTimeoutMs: 300, requestTimeoutMs: 600 } },
  );
  t.teardown(() => target.close());
  const timedOut = { status: 408, message: 'The request did not arrive in time.' };

  const headersNeverEnd = await sendBytes(target.baseUrl, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
  checkRefusal(t, target, headersNeverEnd, timedOut);

  const bodyNeverEnds = await sendBytes(
    target.baseUrl,
    'POST /api-token-auth/ HTTP/1.1\r\nHost: x\r\nX-Request-Id: slow-body-1\r\n' +
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=a',
  );
  checkRefusal(t, target, bodyNeverEnds, {
    ...timedOut,
    requestId: /^slow-body-1$/,
  });
});
