import { mkdtempSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import anyTest, { type TestFn } from 'ava';
import fc from 'fast-check';
import { sharedDatabaseUrl } from '@plaza/testkit';
import {
  startInProcessTarget,
  TEST_JWT_SECRET,
  type InProcessTarget,
} from '../support/apiTarget.js';
import { createPost, signUp, signUpFields, uniqueUsername } from '../support/builders.js';
import {
  commitMarker,
  contentFingerprint,
  likeDayProblems,
  integrityCheck,
  openDatabase,
} from '../support/databaseChecks.js';
import { Api } from '../support/http.js';
import { openApiAnswers } from '../support/openApiAnswers.js';
import { sendRaw, type RawResponse } from '../support/rawHttp.js';
import {
  describeRequest,
  fuzzRequests,
  type FuzzRequest,
  type FuzzWorld,
} from '../support/hostileRequests.js';

/** `FUZZ_SEED=n` replays another run; a failure report names the seed it used. */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_201);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 10_000);
const BODY_LIMIT_BYTES = 100 * 1024;
/** The first user of the world, who may read anyone's `GET /user/activity`. */
const FUZZ_ADMIN = uniqueUsername('fuzz_admin');

interface Context {
  readonly target: InProcessTarget;
}

const test = anyTest as TestFn<Context>;

/** A server on a database of its own that the test can open too (a file, not in memory). */
async function startOnOwnDatabase(
  prefix: string,
): Promise<{ target: InProcessTarget; databaseUrl: string }> {
  const databaseUrl = sharedDatabaseUrl(mkdtempSync(join(tmpdir(), `plaza-${prefix}-`)));
  const target = await startInProcessTarget(
    { databaseUrl, adminUsernames: [FUZZ_ADMIN] },
    { bodyLimit: BODY_LIMIT_BYTES },
  );
  return { target, databaseUrl };
}

// The example tests share one server; the fuzz has its own, so that nothing else writes to
// its database while it compares the database before and after each refused request.
test.before(async (t) => {
  t.context = { target: (await startOnOwnDatabase('hardening')).target };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

const ERROR_KEYS = new Set(['code', 'message', 'field', 'hint']);

/**
 * SPEC's envelope: `{code: OK|PENDING, …}` on success, `{code, message, field?}` on error,
 * and a `hint` only on USR_04.
 */
function checkAnswer(request: FuzzRequest, answer: RawResponse): void {
  const what = `${answer.status} ${answer.text.slice(0, 300)} for ${describeRequest(request)}`;
  if (answer.status >= 500) throw new Error(`a server error: ${what}`);
  if (request.expect !== undefined && !request.expect.includes(answer.status)) {
    throw new Error(`expected ${request.expect.join(' or ')}: ${what}`);
  }
  // HEAD answers carry no body; OPTIONS may answer 2xx with none (the Allow header says it).
  if (request.method === 'HEAD') return;
  if (request.method === 'OPTIONS' && answer.status < 300 && answer.text === '') return;
  if (!/^application\/json\b/.test(answer.headers['content-type'] ?? '')) {
    throw new Error(`not JSON (${answer.headers['content-type'] ?? 'no content type'}): ${what}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new Error(`a body that does not parse: ${what}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Error(`a body that is not an object: ${what}`);
  }
  const fields = body as Record<string, unknown>;
  if (answer.status >= 400) {
    const extra = Object.keys(fields).filter((key) => !ERROR_KEYS.has(key));
    if (
      typeof fields['code'] !== 'string' ||
      typeof fields['message'] !== 'string' ||
      !['string', 'undefined'].includes(typeof fields['field']) ||
      (fields['code'] === 'USR_04' ? typeof fields['hint'] !== 'string' : 'hint' in fields) ||
      extra.length > 0
    ) {
      throw new Error(`not the error format: ${what}`);
    }
  } else if (answer.status >= 200 && answer.status < 300) {
    if (fields['code'] !== 'OK' && fields['code'] !== 'PENDING') {
      throw new Error(`a success without code OK or PENDING: ${what}`);
    }
  } else {
    throw new Error(`an unexpected status: ${what}`);
  }
  // What the OpenAPI document promises of the route's own method and path.
  if (request.route !== undefined) {
    const problem = openApiAnswers().problemWith(
      request.route.method,
      request.route.path,
      answer.status,
      body,
    );
    if (problem !== undefined)
      throw new Error(`not as the OpenAPI document says (${problem}): ${what}`);
  }
}

/**
 * Three users with posts, likes, follows and comments, so that valid tokens and ids exist to
 * be drawn; sessions of their own whose refresh tokens the fuzz may rotate (and reuse); and
 * users the fuzz may log out or delete.
 */
async function setUpWorld(target: InProcessTarget): Promise<FuzzWorld> {
  const api = new Api(target.baseUrl);
  const users = [];
  const postIds: number[] = [];
  const postAuthors: number[] = [];
  for (let index = 0; index < 3; index += 1) {
    const user = await signUp(api, index === 0 ? { username: FUZZ_ADMIN } : {});
    users.push(user);
    for (let post = 0; post < 3; post += 1) {
      postIds.push(await createPost(api, user.token, { title: `seed post ${post}` }));
      postAuthors.push(index);
    }
  }
  const commentIds: number[] = [];
  const commentAuthors: number[] = [];
  const refreshTokens: string[] = [];
  for (const [index, user] of users.entries()) {
    const as = { token: user.token };
    await api.post('/post/like', { post_id: postIds[0] ?? 1 }, as);
    const next = users[(index + 1) % users.length]!;
    await api.post('/user/follow', { user_id: next.userId }, as);
    for (const postId of postIds.slice(0, 2)) {
      const comment = await api.post('/post/comment', { post_id: postId, text: 'seed' }, as);
      const id = (comment.body['data'] as { comment_id?: number } | undefined)?.comment_id;
      if (id !== undefined) {
        commentIds.push(id);
        commentAuthors.push(index);
      }
    }
    for (let session = 0; session < 3; session += 1) {
      const login = await api.post('/api-token-auth/', {
        username: user.username,
        password: user.password,
      });
      const token = (login.body['data'] as { refresh_token?: string } | undefined)?.refresh_token;
      if (token !== undefined) refreshTokens.push(token);
    }
  }
  const expendable = [];
  for (let index = 0; index < 12; index += 1) expendable.push(await signUp(api));
  return {
    users,
    postIds,
    postAuthors,
    commentIds,
    commentAuthors,
    refreshTokens,
    expendable,
    jwtSecret: TEST_JWT_SECRET,
    bodyLimitBytes: BODY_LIMIT_BYTES,
  };
}

const tally = (counts: ReadonlyMap<string | number, number>): string =>
  [...counts.entries()]
    .sort(([a], [b]) => String(a).localeCompare(String(b)))
    .map(([key, count]) => `${key}: ${count}`)
    .join(', ');

const FORGED_MESSAGES = new Set(['forged', 'admin logged in', 'x']);

/**
 * Every line the server logged is one JSON object written by pino (level, then time), none
 * carries a message an attacker wrote, and none is an unhandled error.
 */
function logProblems(logs: string): string[] {
  const problems: string[] = [];
  for (const line of logs.split('\n')) {
    if (line === '') continue;
    let entry: { level?: unknown; time?: unknown; msg?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      problems.push(`not JSON: ${line.slice(0, 200)}`);
      continue;
    }
    if (!/^\{"level":\d+,"time":\d+,/.test(line) || typeof entry.time !== 'number') {
      problems.push(`not a pino line: ${line.slice(0, 200)}`);
    }
    if (typeof entry.msg === 'string' && FORGED_MESSAGES.has(entry.msg)) {
      problems.push(`forged: ${line.slice(0, 200)}`);
    }
    if (typeof entry.level === 'number' && entry.level >= 50) problems.push(line.slice(0, 500));
  }
  return problems;
}

test.serial(
  `fuzz: ${RUNS} random requests: never a 5xx, always the error format, answers as the OpenAPI document says, a refused request changes nothing`,
  async (t) => {
    // About a minute on a busy 2-core machine; the ceiling is for a saturated one.
    t.timeout(600_000);
    const { target, databaseUrl } = await startOnOwnDatabase('fuzz');
    t.teardown(() => target.close());
    const db = openDatabase(databaseUrl);
    t.teardown(() => db.destroy());
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.teardown(() => agent.destroy());
    const world = await setUpWorld(target);
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

    const statuses = new Map<number, number>();
    const codes = new Map<string, number>();
    // Per route (its own method and path): how often it said OK, and how often it refused.
    const routes = new Map<string, { ok: number; refused: number }>();
    let sent = 0;
    let refused = 0;
    // Refused requests during which the database may have seen a commit (login throttle
    // counters, say; on PostgreSQL any write of the cluster), whose users, posts, likes and
    // jobs were then compared row summary by row summary.
    let refusedWithCommit = 0;
    let marker = await commitMarker(db);
    let fingerprint = await contentFingerprint(db);
    const started = Date.now();
    t.log(`fuzz seed ${SEED}, ${RUNS} runs (FUZZ_SEED=${SEED} replays this run)`);

    await fc.assert(
      fc.asyncProperty(fuzzRequests(world), async (request: FuzzRequest) => {
        const answer = await sendRaw(target.baseUrl, request, agent);
        sent += 1;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const code = /"code":"([A-Z0-9_]+)"/.exec(answer.text)?.[1] ?? '-';
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (answer.status >= 400) refused += 1;
        if (request.route !== undefined) {
          const name = `${request.route.method} ${request.route.path}`;
          const seen = routes.get(name) ?? { ok: 0, refused: 0 };
          if (answer.status < 300) seen.ok += 1;
          else seen.refused += 1;
          routes.set(name, seen);
        }

        // Writes commit before the answer is sent, so after it the database tells the truth.
        const nextMarker = await commitMarker(db);
        if (nextMarker !== marker) {
          marker = nextMarker;
          const previous = fingerprint;
          fingerprint = await contentFingerprint(db);
          if (answer.status >= 400) refusedWithCommit += 1;
          if (answer.status >= 400 && fingerprint !== previous) {
            throw new Error(
              `refused with ${answer.status} but the database changed: ${previous} → ${fingerprint}; ${describeRequest(request)}`,
            );
          }
        }
        checkAnswer(request, answer);
      }),
      { numRuns: RUNS, seed: SEED },
    );

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    t.log(
      `fuzz: ${sent} requests in ${seconds} s, ${refused} refused; statuses: ${tally(statuses)}`,
    );
    t.log(`fuzz: codes: ${tally(codes)}`);
    t.log(
      `fuzz: per route, answered OK / refused: ${[...routes.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, seen]) => `${name} ${seen.ok}/${seen.refused}`)
        .join(', ')}`,
    );
    t.log(
      `fuzz: every refused request left users, posts, likes, follows, comments, enrichment jobs and the kept counts unchanged ` +
        `(${refusedWithCommit} of them saw a commit, such as login throttling, and were compared)`,
    );
    t.true(sent >= RUNS);
    t.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeBefore);
    t.is(({} as Record<string, unknown>)['isAdmin'], undefined, 'no prototype pollution');
    t.deepEqual(logProblems(target.logs()), []);
    t.is(await integrityCheck(db), 'ok');
    t.deepEqual(await likeDayProblems(db), [], 'the likes per day equal a recount of the likes');
  },
);

test('a 10 MB body is refused with 413 in the error format, and the server stays up', async (t) => {
  const { baseUrl } = t.context.target;
  const tenMegabytes = 10 * 1024 * 1024;
  const bodies: Array<[string, string]> = [
    ['application/json', JSON.stringify({ ...signUpFields(), bio: 'x'.repeat(tenMegabytes) })],
    ['application/x-www-form-urlencoded', `bio=${'x'.repeat(tenMegabytes)}`],
  ];
  for (const [contentType, body] of bodies) {
    const answer = await sendRaw(baseUrl, {
      method: 'POST',
      path: '/user/data',
      headers: { 'content-type': contentType },
      body,
    });
    t.is(answer.status, 413, contentType);
    t.deepEqual(JSON.parse(answer.text), {
      code: 'USR_02',
      message: 'The request body is too large.',
    });
  }
  t.is((await sendRaw(baseUrl, { method: 'GET', path: '/healthz' })).status, 200);
});

test('gzip, deflate and brotli bombs (20 MB inflated) are refused with 413', async (t) => {
  const inflated = `{"bio":"${'0'.repeat(20_000_000)}"}`;
  const bombs: Array<[string, Buffer]> = [
    ['gzip', gzipSync(inflated)],
    ['deflate', deflateSync(inflated)],
    ['br', brotliCompressSync(inflated)],
  ];
  for (const [encoding, body] of bombs) {
    t.true(body.length < BODY_LIMIT_BYTES, `${encoding} bomb is small: ${body.length} bytes`);
    const answer = await sendRaw(t.context.target.baseUrl, {
      method: 'POST',
      path: '/user/data',
      headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      body,
    });
    t.is(answer.status, 413, encoding);
    t.is((JSON.parse(answer.text) as { code: string }).code, 'USR_02');
  }
});

test('a corrupt compressed body is a 400 in the error format, not a 500', async (t) => {
  const bodies: Array<[string, Buffer]> = [
    ['gzip', Buffer.from('not gzip at all')],
    ['gzip', gzipSync('{"post_id":1}').subarray(0, 12)],
    ['deflate', Buffer.from([0xde, 0xad, 0xbe, 0xef])],
    ['br', Buffer.from('xx')],
  ];
  for (const [encoding, body] of bodies) {
    const answer = await sendRaw(t.context.target.baseUrl, {
      method: 'POST',
      path: '/post/like',
      headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      body,
    });
    t.is(answer.status, 400, `${encoding}: ${answer.text}`);
    t.like(JSON.parse(answer.text), { code: 'USR_02' });
  }
});

test('JSON nested 10,000 deep in a valid POST /post/data is refused with a 400; no post is made', async (t) => {
  const { baseUrl } = t.context.target;
  const api = new Api(baseUrl);
  const author = await signUp(api);
  const depth = 10_000;
  const post = '"title":"t","text":"x"';
  const bodies = [
    `{${post},"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    `{${post},"extra":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
    `{${post},"extra":${'[{"a":'.repeat(depth / 2)}1${'}]'.repeat(depth / 2)}}`,
  ];
  for (const body of bodies) {
    const answer = await sendRaw(baseUrl, {
      method: 'POST',
      path: '/post/data',
      headers: { 'content-type': 'application/json', authorization: `JWT ${author.token}` },
      body,
    });
    t.is(answer.status, 400, `${answer.status} ${answer.text}`);
    t.deepEqual(JSON.parse(answer.text), {
      code: 'USR_02',
      message: 'The request body is nested too deeply.',
    });
  }
  const listed = await api.get('/post/list', { author_id: author.userId });
  t.deepEqual(listed.body['data'], { posts: [], next: null }, 'no post was created');
  t.is((await sendRaw(baseUrl, { method: 'GET', path: '/healthz' })).status, 200);
});

test('a method no route implements (PROPFIND, TRACE…) is a 405 in the error format', async (t) => {
  for (const method of ['PROPFIND', 'TRACE', 'MKCOL', 'PURGE']) {
    const answer = await sendRaw(t.context.target.baseUrl, { method, path: '/post/read' });
    t.is(answer.status, 405, `${method}: ${answer.status} ${answer.text}`);
    t.like(JSON.parse(answer.text), { code: 'USR_02' });
  }
});

test('usernames with line breaks or ANSI escapes cannot forge log lines', async (t) => {
  // A server of its own, whose every log line this test reads.
  const { target } = await startOnOwnDatabase('logs');
  t.teardown(() => target.close());
  const api = new Api(target.baseUrl);
  const attacks = [
    'evil\n{"level":60,"msg":"forged"}',
    'evil\r\n{"level":30,"msg":"admin logged in"}',
    '\x1b[2J\x1b[31mroot\x1b[0m',
    'evil\u2028{"level":60}',
    'evil\u0085{"level":60}',
    '"}\n{"msg":"x',
    'a\u202egnp.exe',
  ];
  for (const username of attacks) {
    for (const as of ['form', 'json'] as const) {
      const signedUp = await api.post('/user/data', signUpFields({ username }), { as });
      t.is(signedUp.status, 400, JSON.stringify(username));
      t.like(signedUp.body, { code: 'USR_02', field: 'username' });
      const login = await api.post(
        '/api-token-auth/',
        { username, password: 'pass-word-1234' },
        {
          as,
        },
      );
      t.true(login.status === 401 || login.status === 429, `${login.status} ${login.text}`);
    }
  }
  // Fields that may hold line breaks are stored, and must not reach the log raw either.
  const bio = 'line\n{"level":60,"msg":"forged"}\r\n\x1b[31m';
  const user = await signUp(api, { bio: bio.replace('\x1b[31m', '') });
  await createPost(api, user.token, { title: 'ok', text: bio.replace('\x1b[31m', '') });
  await sendRaw(target.baseUrl, { method: 'GET', path: '/x%0A%7B%22level%22:60%7D%1B[31m' });
  await sendRaw(target.baseUrl, {
    method: 'GET',
    path: '/healthz',
    headers: { 'x-request-id': 'id"}{"level":60,"msg":"forged' },
  });

  const logs = target.logs();
  t.true(logs.length > 0);
  t.deepEqual(logProblems(logs), []);
  t.false(logs.includes('\x1b'), 'escape characters are written escaped');
  t.false(logs.includes('\r'), 'carriage returns are written escaped');
  for (const attack of attacks) {
    const firstLine = attack.split(/[\r\n\u2028\u0085]/)[0] ?? attack;
    t.false(
      logs.split('\n').some((line) => line !== '' && line.startsWith(firstLine.slice(0, 8))),
      JSON.stringify(attack),
    );
  }
});
