import { mkdtempSync } from 'node:fs';
import { Agent, request, type ClientRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { sharedDatabaseUrl } from '@plaza/testkit';
import { TEST_JWT_SECRET } from '../support/apiTarget.js';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import { runCli, type CliRun } from '../support/cliProcess.js';
import { integrityCheck, openDatabase } from '../support/databaseChecks.js';
import { Api } from '../support/http.js';
import { withTimeout } from '../support/watchSocket.js';

const LANES = 16;
const USERS = 8;
/** Writes acknowledged before the signal: the load is well under way. */
const OK_BEFORE_SIGNAL = 300;
/**
 * The shutdown timeout given to the server: long, so that a stop that waits for it (or for
 * the database pool's 60 s acquire timeout) cannot pass for a prompt one.
 */
const SHUTDOWN_TIMEOUT_MS = 60_000;
/** A functional ceiling far below both 60 s waits; a prompt stop takes a second or two. */
const EXIT_WITHIN_MS = 20_000;
/** Clients that send a write and leave at once. */
const GONE_CLIENTS = 1500;

interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly connection: string | undefined;
}

interface Outcome {
  readonly sentAfterSignal: boolean;
  readonly answer?: Answer;
  readonly error?: { readonly code: string; readonly reusedSocket: boolean };
}

/** `plaza-server` on `databaseUrl`, killed at the test's end if it is still running. */
function startServer(t: ExecutionContext, cwd: string, databaseUrl: string): CliRun {
  const cli = runCli([], {
    cwd,
    env: {
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      PLAZA_PROVIDERS: 'fake',
      SCRYPT_LOG_N: '10',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    },
  });
  t.teardown(() => {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  });
  return cli;
}

const LATE = Symbol('late');

/** How the server ended, or `LATE` if it was still running well past `EXIT_WITHIN_MS`. */
async function exitOrLate(cli: CliRun): Promise<Awaited<CliRun['exited']> | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      cli.exited,
      new Promise<typeof LATE>((resolve) => {
        timer = setTimeout(() => resolve(LATE), EXIT_WITHIN_MS + 10_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One request over the keep-alive agent, with the socket error (if any) kept apart. */
function send(
  agent: Agent,
  url: string,
  path: string,
  token: string,
  body: object,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req: ClientRequest = request(
      `${url}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `JWT ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => {
          let code: string | undefined;
          try {
            code = (JSON.parse(text) as { code?: string }).code;
          } catch {
            code = undefined;
          }
          resolve({ status: res.statusCode ?? 0, code, connection: res.headers.connection });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(Object.assign(error, { reusedSocket: req.reusedSocket })),
    );
    req.end(payload);
  });
}

test('SIGTERM in the middle of a write load over keep-alive connections answers every request in flight and exits promptly, with nothing unhandled', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-shutdown-load-'));
  const cli = startServer(t, dir, sharedDatabaseUrl(dir));
  const url = await cli.listening;
  const api = new Api(url);
  const users: SignedUpUser[] = [];
  for (let index = 0; index < USERS; index += 1) users.push(await signUp(api));
  const postIds = [await createPost(api, (users[0] as SignedUpUser).token)];

  const agent = new Agent({ keepAlive: true, maxSockets: LANES });
  t.teardown(() => agent.destroy());
  const outcomes: Outcome[] = [];
  let ok = 0;
  let signalledAt: number | undefined;
  let sequence = 0;

  const write = (lane: number): Promise<Answer> => {
    const user = users[(lane + sequence) % users.length] as SignedUpUser;
    sequence += 1;
    if (sequence % 3 === 0) {
      return send(agent, url, '/post/data', user.token, {
        title: `lane ${lane} write ${sequence}`,
        text: 'written while the server is asked to stop',
      });
    }
    const postId = postIds[sequence % postIds.length] as number;
    return send(agent, url, sequence % 2 === 0 ? '/post/like' : '/post/unlike', user.token, {
      post_id: postId,
    });
  };

  // Each lane writes, one request at a time over its kept-alive connection, until the server
  // no longer takes connections: a client that knows nothing of the shutdown.
  const lane = async (index: number): Promise<void> => {
    for (;;) {
      const sentAfterSignal = signalledAt !== undefined;
      try {
        const answer = await write(index);
        outcomes.push({ sentAfterSignal, answer });
        if (answer.status === 200) ok += 1;
        if (ok >= OK_BEFORE_SIGNAL && signalledAt === undefined) {
          signalledAt = Date.now();
          cli.child.kill('SIGTERM');
        }
      } catch (error) {
        const { code, reusedSocket } = error as NodeJS.ErrnoException & { reusedSocket: boolean };
        outcomes.push({ sentAfterSignal, error: { code: code ?? String(error), reusedSocket } });
        if (sentAfterSignal || code === 'ECONNREFUSED') return;
      }
    }
  };
  const lanes = Promise.all(Array.from({ length: LANES }, (_, index) => lane(index)));

  const exit = await exitOrLate(cli);
  const exitedAfterMs = Date.now() - (signalledAt ?? Date.now());
  if (exit === LATE) cli.child.kill('SIGKILL');
  await lanes;

  const inFlight = outcomes.filter((outcome) => !outcome.sentAfterSignal);
  const unanswered = inFlight.filter((outcome) => outcome.error !== undefined);
  const wrongAnswers = outcomes.filter(
    ({ answer }) =>
      answer !== undefined &&
      answer.status !== 200 &&
      !(answer.status === 503 && answer.code === 'OFF_01'),
  );
  const afterSignal = outcomes.filter((outcome) => outcome.sentAfterSignal);
  // Sent after the signal on a connection the server had already closed: the client's race,
  // which HTTP leaves to the client (Node marks it `reusedSocket`). Anything else is a reset.
  const cutOff = afterSignal.filter(
    ({ error }) => error !== undefined && error.code !== 'ECONNREFUSED' && !error.reusedSocket,
  );
  const unhandled = cli
    .stdout()
    .split('\n')
    .filter((line) => /unhandled/i.test(line));
  t.log(
    `${ok} writes acknowledged, ${outcomes.length} requests; ${inFlight.length} sent before ` +
      `SIGTERM; exit ${String(exit)} ${exitedAfterMs} ms after SIGTERM`,
  );

  t.not(exit, LATE, `still running ${EXIT_WITHIN_MS + 10_000} ms after SIGTERM`);
  t.is(exit, 0);
  t.true(
    exitedAfterMs < EXIT_WITHIN_MS,
    `exited ${exitedAfterMs} ms after SIGTERM, not within ${EXIT_WITHIN_MS} ms`,
  );
  t.deepEqual(
    unanswered.map((outcome) => outcome.error),
    [],
    'every request sent before the signal is answered',
  );
  t.deepEqual(
    wrongAnswers.map((outcome) => outcome.answer),
    [],
    'every answer is 200 or OFF_01',
  );
  t.deepEqual(
    cutOff.map((outcome) => outcome.error),
    [],
    'no request is reset',
  );
  // The answers given once stopping began close their connections: no keep-alive client is
  // left holding a connection that the stop must wait for.
  t.deepEqual(
    afterSignal.flatMap(({ answer }) => (answer === undefined ? [] : [answer.connection])),
    afterSignal.flatMap(({ answer }) => (answer === undefined ? [] : ['close'])),
    'answers given while stopping say Connection: close',
  );
  t.deepEqual(unhandled, [], 'nothing is logged as unhandled');
  t.true(cli.stdout().includes('"stopped"'));
});

test('SIGTERM just after clients sent writes and went away: the stop waits for the handlers, not the connections, exits promptly, and nothing is logged as unhandled', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-shutdown-gone-'));
  const databaseUrl = sharedDatabaseUrl(dir);
  const cli = startServer(t, dir, databaseUrl);
  const url = await cli.listening;
  const api = new Api(url);
  const user = await signUp(api);
  const postId = await createPost(api, user.token);

  // Each write on a connection of its own, closed by the client as soon as the request is
  // sent: the server's connections are gone while its handlers still wait for the commit.
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  t.teardown(() => agent.destroy());
  const payload = JSON.stringify({ title: 'sent and left', text: 'nobody waits for this' });
  const sent = await Promise.all(
    Array.from(
      { length: GONE_CLIENTS },
      () =>
        new Promise<void>((resolve) => {
          const req = request(`${url}/post/data`, {
            method: 'POST',
            agent,
            headers: {
              authorization: `JWT ${user.token}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            },
          });
          req.on('error', () => resolve());
          req.end(payload, () => {
            req.destroy();
            resolve();
          });
        }),
    ),
  );
  t.is(sent.length, GONE_CLIENTS);
  const signalledAt = Date.now();
  cli.child.kill('SIGTERM');

  const exit = await exitOrLate(cli);
  const exitedAfterMs = Date.now() - signalledAt;
  const unhandled = cli
    .stdout()
    .split('\n')
    .filter((line) => /unhandled/i.test(line));
  t.log(`exit ${String(exit)} ${exitedAfterMs} ms after SIGTERM; ${unhandled.length} unhandled`);
  t.not(exit, LATE, `still running ${EXIT_WITHIN_MS + 10_000} ms after SIGTERM`);
  t.is(exit, 0);
  t.true(
    exitedAfterMs < EXIT_WITHIN_MS,
    `exited ${exitedAfterMs} ms after SIGTERM, not within ${EXIT_WITHIN_MS} ms`,
  );
  t.deepEqual(unhandled, [], 'nothing is logged as unhandled');
  // The writes the server had taken in hand were committed, none cut by the closing pool.
  const db = openDatabase(databaseUrl);
  try {
    const posts = await db('posts').whereNot('id', postId).count({ n: '*' }).first();
    t.log(`${String(posts?.['n'])} of the ${GONE_CLIENTS} abandoned posts were committed`);
    t.is(await integrityCheck(db), 'ok');
  } finally {
    await db.destroy();
  }
});

/** Pipelined on each connection of the test below: far more than a connection has in hand. */
const PIPELINED = 100;

test('SIGTERM while connections pipeline posts: every post the server committed was answered, and nothing after the last answer was done', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-shutdown-pipelined-'));
  const databaseUrl = sharedDatabaseUrl(dir);
  const cli = startServer(t, dir, databaseUrl);
  const url = await cli.listening;
  const user = await signUp(new Api(url));
  const { hostname, port } = new URL(url);

  const post = (connection: number, index: number): string => {
    const body = JSON.stringify({ title: `pipelined ${connection}-${index}`, text: 'at the stop' });
    return [
      'POST /post/data HTTP/1.1',
      `Host: ${hostname}`,
      `Authorization: JWT ${user.token}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  };
  const connections = Array.from({ length: 4 }, (_, connection) => {
    const socket = connect(Number(port), hostname);
    t.teardown(() => socket.destroy());
    let received = '';
    const firstAnswer = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        resolve();
      });
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write(Array.from({ length: PIPELINED }, (_, index) => post(connection, index)).join(''));
    return { firstAnswer, closed, received: () => received };
  });
  await Promise.all(connections.map((connection) => connection.firstAnswer));
  cli.child.kill('SIGTERM');
  t.is(await withTimeout(cli.exited, EXIT_WITHIN_MS, 'the server to exit'), 0);
  await Promise.all(connections.map((connection) => connection.closed));

  const answered = connections
    .flatMap((connection) => [...connection.received().matchAll(/"post_id":(\d+)/g)])
    .map((match) => Number(match[1]));
  const db = openDatabase(databaseUrl);
  try {
    const committed = (await db('posts').where('title', 'like', 'pipelined %').select('id')).map(
      (row: { id: number | string }) => Number(row.id),
    );
    t.log(`${answered.length} answered, ${committed.length} committed`);
    t.true(answered.length > 0);
    t.deepEqual(
      committed.filter((id) => !answered.includes(id)),
      [],
      'committed but never answered',
    );
  } finally {
    await db.destroy();
  }
});
