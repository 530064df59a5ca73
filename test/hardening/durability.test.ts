import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { sharedDatabaseUrl } from '@plaza/testkit';
import { TEST_JWT_SECRET } from '../support/apiTarget.js';
import { signUp, signUpFields, type SignedUpUser } from '../support/builders.js';
import { runCli, type CliRun } from '../support/cliProcess.js';
import { foreignKeyProblems, integrityCheck, openDatabase } from '../support/databaseChecks.js';
import { Api } from '../support/http.js';

const KILLS = 3;
const IN_FLIGHT = 16;
const USERS = 8;

/** Every write the server answered 200, so promised to keep. */
interface Acknowledged {
  readonly posts: Map<number, { readonly title: string; readonly authorId: number }>;
  /** `post_id:user_id` */
  readonly likes: Set<string>;
  readonly users: Map<number, string>;
}

interface LoadFigures {
  ok: number;
  refused: number;
  /** Status (and code) of the refused writes. */
  readonly refusals: Map<string, number>;
  /** Requests cut off by the kill: their outcome is unknown, and either is allowed. */
  cutOff: number;
}

const startCli = (cwd: string, databaseUrl: string): CliRun =>
  runCli([], {
    cwd,
    env: {
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      PLAZA_PROVIDERS: 'fake',
      SCRYPT_LOG_N: '10',
    },
  });

const jsonHeaders = (token: string): Record<string, string> => ({
  authorization: `JWT ${token}`,
  'content-type': 'application/json',
});

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/**
 * Posts, likes and a few sign-ups, `IN_FLIGHT` at a time, recording every 200; once
 * `killAfterOk` writes were acknowledged the server gets SIGKILL with requests in flight.
 */
async function loadUntilKilled(
  url: string,
  round: number,
  users: readonly SignedUpUser[],
  acknowledged: Acknowledged,
  killAfterOk: number,
  kill: () => void,
): Promise<LoadFigures> {
  const figures: LoadFigures = { ok: 0, refused: 0, cutOff: 0, refusals: new Map() };
  const refuse = (status: number, body: { code?: string }): void => {
    figures.refused += 1;
    const key = `${status} ${body.code ?? ''}`;
    figures.refusals.set(key, (figures.refusals.get(key) ?? 0) + 1);
  };
  const postIds = [...acknowledged.posts.keys()];
  let killed = false;
  let sequence = 0;

  const write = async (lane: number): Promise<void> => {
    const user = pick(users);
    const roll = Math.random();
    sequence += 1;
    if (roll < 0.05) {
      const fields = signUpFields({ username: `dur_${round}_${lane}_${sequence}_${process.pid}` });
      const answer = await fetch(`${url}/user/data`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fields),
      });
      const body = (await answer.json()) as { code?: string; data?: { user_id: number } };
      if (answer.status !== 200 || body.data === undefined) {
        refuse(answer.status, body);
        return;
      }
      acknowledged.users.set(body.data.user_id, fields['username'] as string);
    } else if (roll < 0.5 || postIds.length === 0) {
      const title = `round ${round} lane ${lane} write ${sequence}`;
      const answer = await fetch(`${url}/post/data`, {
        method: 'POST',
        headers: jsonHeaders(user.token),
        body: JSON.stringify({ title, text: `written under load by ${user.username}` }),
      });
      const body = (await answer.json()) as { code?: string; data?: { post_id: number } };
      if (answer.status !== 200 || body.data === undefined) {
        refuse(answer.status, body);
        return;
      }
      acknowledged.posts.set(body.data.post_id, { title, authorId: user.userId });
      postIds.push(body.data.post_id);
    } else {
      const postId = pick(postIds);
      const answer = await fetch(`${url}/post/like`, {
        method: 'POST',
        headers: jsonHeaders(user.token),
        body: JSON.stringify({ post_id: postId }),
      });
      const body = (await answer.json()) as { code?: string };
      if (answer.status !== 200 || body.code !== 'OK') {
        refuse(answer.status, body);
        return;
      }
      acknowledged.likes.add(`${postId}:${user.userId}`);
    }
    figures.ok += 1;
    if (figures.ok >= killAfterOk && !killed) {
      killed = true;
      kill();
    }
  };

  const lane = async (index: number): Promise<void> => {
    while (!killed) {
      try {
        await write(index);
      } catch {
        // The connection died with the server (or the answer was cut short): not acknowledged.
        figures.cutOff += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, index) => lane(index)));
  return figures;
}

interface PostRow {
  readonly id: number;
  readonly title: string;
  readonly author_id: number;
}

interface LikeRow {
  readonly post_id: number;
  readonly user_id: number;
}

interface UserRow {
  readonly id: number;
  readonly username: string;
}

/** Reads the database directly: sound, and holding every acknowledged write. */
async function checkDatabase(
  databaseUrl: string,
  acknowledged: Acknowledged,
): Promise<{ integrity: string; fkProblems: number; lost: string[] }> {
  const db = openDatabase(databaseUrl);
  try {
    const integrity = await integrityCheck(db);
    const fkProblems = (await foreignKeyProblems(db)).length;
    const postRows = await db('posts').select<PostRow[]>('id', 'title', 'author_id');
    const posts = new Map(postRows.map((row) => [row.id, row]));
    const likeRows = await db('likes').select<LikeRow[]>('post_id', 'user_id');
    const likes = new Set(likeRows.map((row) => `${row.post_id}:${row.user_id}`));
    const userRows = await db('users').select<UserRow[]>('id', 'username');
    const users = new Map(userRows.map((row) => [row.id, row.username]));
    const lost: string[] = [];
    for (const [id, post] of acknowledged.posts) {
      const row = posts.get(id);
      if (row?.title !== post.title || row.author_id !== post.authorId) lost.push(`post ${id}`);
    }
    for (const like of acknowledged.likes) if (!likes.has(like)) lost.push(`like ${like}`);
    for (const [id, username] of acknowledged.users) {
      if (users.get(id) !== username) lost.push(`user ${id}`);
    }
    return { integrity, fkProblems, lost };
  } finally {
    await db.destroy();
  }
}

/** The restarted server serves every acknowledged post and like over HTTP. */
async function servedMisses(api: Api, acknowledged: Acknowledged): Promise<string[]> {
  const likers = new Map<number, number[]>();
  for (const like of acknowledged.likes) {
    const [postId, userId] = like.split(':').map(Number) as [number, number];
    likers.set(postId, [...(likers.get(postId) ?? []), userId]);
  }
  const misses: string[] = [];
  const ids = [...acknowledged.posts.keys()];
  const check = async (id: number): Promise<void> => {
    const read = await api.get('/post/read', { post_id: id });
    const data = (read.body['data'] ?? {}) as { title?: string; likes?: number };
    const expectedLikers = likers.get(id) ?? [];
    const likes = data.likes ?? 0;
    if (read.status !== 200 || data.title !== acknowledged.posts.get(id)?.title) {
      misses.push(`post ${id}: ${read.status}`);
    } else if (likes < expectedLikers.length) {
      misses.push(`post ${id}: ${likes} likes < ${expectedLikers.length}`);
    }
    if (expectedLikers.length > 0) {
      const listed = await api.get('/post/likes', { post_id: id });
      const userIds = new Set((listed.body['data'] as { user_ids: number[] }).user_ids);
      for (const userId of expectedLikers) {
        if (!userIds.has(userId)) misses.push(`like ${id}:${userId}`);
      }
    }
  };
  for (let start = 0; start < ids.length; start += 8) {
    await Promise.all(ids.slice(start, start + 8).map(check));
  }
  return misses;
}

test('SIGKILL in the middle of a post-and-like load loses no acknowledged write (3 kills)', async (t) => {
  // About 25 s on a busy 2-core machine (four server starts); the ceiling is for a saturated one.
  t.timeout(600_000);
  const cwd = mkdtempSync(join(tmpdir(), 'plaza-durability-'));
  // A SQLite file in cwd, or a PostgreSQL schema: the server is killed, the database is not.
  const databaseUrl = sharedDatabaseUrl(cwd);
  const acknowledged: Acknowledged = { posts: new Map(), likes: new Set(), users: new Map() };
  const users: SignedUpUser[] = [];

  for (let round = 1; round <= KILLS; round += 1) {
    const run = startCli(cwd, databaseUrl);
    t.teardown(() => run.child.kill('SIGKILL'));
    const api = new Api(await run.listening);
    if (round === 1) {
      for (let index = 0; index < USERS; index += 1) users.push(await signUp(api));
      for (const user of users) acknowledged.users.set(user.userId, user.username);
    } else {
      t.deepEqual(await servedMisses(api, acknowledged), [], `served after kill ${round - 1}`);
    }

    // Somewhere after a few hundred acknowledged writes, differently each round.
    const killAfterOk = 200 + round * 100 + Math.floor(Math.random() * 100);
    const figures = await loadUntilKilled(
      api.baseUrl,
      round,
      users,
      acknowledged,
      killAfterOk,
      () => run.child.kill('SIGKILL'),
    );
    const exit = await run.exited;
    t.is(exit, 'SIGKILL', 'killed by the signal, not exited');

    const checked = await checkDatabase(databaseUrl, acknowledged);
    t.is(checked.integrity, 'ok');
    t.is(checked.fkProblems, 0);
    t.deepEqual(checked.lost, [], `lost after kill ${round}`);
    // Only "overloaded, retry" may refuse a valid write; nothing here is the client's fault.
    t.deepEqual(
      [...figures.refusals.keys()].filter((key) => key !== '503 OFF_01'),
      [],
      'no valid write is refused',
    );
    t.log(
      `kill ${round}: ${figures.ok} writes acknowledged this round, ${figures.cutOff} cut off, ${figures.refused} refused; ` +
        `refusals ${JSON.stringify([...figures.refusals])}; checked ${acknowledged.posts.size} posts, ${acknowledged.likes.size} likes, ${acknowledged.users.size} users; ` +
        `integrity ${checked.integrity}; lost: ${checked.lost.length}`,
    );
  }

  const last = startCli(cwd, databaseUrl);
  t.teardown(() => last.child.kill('SIGKILL'));
  const api = new Api(await last.listening);
  t.deepEqual(await servedMisses(api, acknowledged), [], `served after kill ${KILLS}`);
  t.is(await last.stop('SIGTERM'), 0);
});
