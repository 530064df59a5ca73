import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import type { Knex } from 'knex';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { createPost, signUp, signUpFields, type SignedUpUser } from '../support/builders.js';
import { openDatabaseFile } from '../support/databaseChecks.js';
import { Api, type ApiResponse } from '../support/http.js';

// Long enough that a saturated machine still releases the lock in the second test in time
// (the lock is held 150 ms there; the writes wait out all of it only in the first test).
const BUSY_TIMEOUT_MS = 3000;

interface Context {
  readonly target: InProcessTarget;
  readonly api: Api;
  /** A second connection to the server's file, the "other writer". */
  readonly other: Knex;
  readonly author: SignedUpUser;
  readonly liker: SignedUpUser;
  readonly postId: number;
}

// Serial: both tests lock the one database file.
const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'plaza-busy-')), 'plaza.sqlite');
  const target = await startInProcessTarget({
    databaseUrl: `sqlite:${file}`,
    sqliteBusyTimeoutMs: BUSY_TIMEOUT_MS,
  });
  const api = new Api(target.baseUrl);
  const author = await signUp(api);
  const liker = await signUp(api);
  const postId = await createPost(api, author.token);
  t.context = { target, api, other: openDatabaseFile(file), author, liker, postId };
});

test.after.always(async (t) => {
  await t.context.other.destroy();
  await t.context.target.close();
});

interface Timed extends ApiResponse {
  readonly ms: number;
}

async function timed(request: Promise<ApiResponse>): Promise<Timed> {
  const started = performance.now();
  const response = await request;
  return { ...response, ms: performance.now() - started };
}

/** A sign-up, a post and a like, all at once: the three kinds of write transaction. */
function writes(context: Context): Promise<Timed[]> {
  const { api, liker, author, postId } = context;
  return Promise.all([
    timed(api.post('/user/data', signUpFields())),
    timed(api.post('/post/data', { title: 'under lock', text: 'x' }, { token: author.token })),
    timed(api.post('/post/like', { post_id: postId }, { token: liker.token })),
  ]);
}

test.serial(
  'writes wait out the busy timeout behind another writer, then get OFF_01 (503), never a 500',
  async (t) => {
    const { other, api, postId } = t.context;
    const postsBefore = (await api.get('/post/list', { limit: 100 })).body['data'] as {
      posts: unknown[];
    };
    await other.raw('BEGIN IMMEDIATE');
    let answers: Timed[];
    let read: ApiResponse;
    try {
      answers = await writes(t.context);
      // Readers are not blocked by a writer in WAL mode.
      read = await api.get('/post/read', { post_id: postId });
    } finally {
      await other.raw('ROLLBACK');
    }
    for (const answer of answers) {
      t.is(answer.status, 503, answer.text);
      t.deepEqual(answer.body, { code: 'OFF_01', message: 'Server overloaded, try again.' });
      // SQLITE_BUSY at once would mean a transaction that could not wait (a deferred upgrade).
      t.true(answer.ms >= BUSY_TIMEOUT_MS * 0.9, `answered after ${Math.round(answer.ms)} ms`);
    }
    t.is(read.status, 200);
    const postsAfter = (await api.get('/post/list', { limit: 100 })).body['data'] as {
      posts: unknown[];
    };
    t.is(postsAfter.posts.length, postsBefore.posts.length, 'nothing was written');
    t.log(
      `busy timeout ${BUSY_TIMEOUT_MS} ms: answered 503 OFF_01 after ${answers
        .map((answer) => `${Math.round(answer.ms)} ms`)
        .join(', ')}`,
    );

    // Safe to retry: once the other writer is done, the same writes succeed.
    const retried = await writes(t.context);
    t.deepEqual(
      retried.map((answer) => answer.status),
      [200, 200, 200],
    );
    t.false(t.context.target.logs().includes('"level":50'), 'no unhandled error was logged');
  },
);

test.serial('a writer that lets go within the busy timeout only delays the writes', async (t) => {
  const { other } = t.context;
  await other.raw('BEGIN IMMEDIATE');
  const pending = writes(t.context);
  const heldMs = 150;
  await new Promise((resolve) => setTimeout(resolve, heldMs));
  await other.raw('COMMIT');
  const answers = await pending;
  t.deepEqual(
    answers.map((answer) => answer.status),
    [200, 200, 200],
  );
  t.true(
    answers.some((answer) => answer.ms >= heldMs * 0.8),
    answers.map((answer) => Math.round(answer.ms)).join(', '),
  );
});
