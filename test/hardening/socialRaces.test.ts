import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import type { Knex } from 'knex';
import { selectRows, sharedDatabaseUrl } from '@plaza/testkit';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import { foreignKeyProblems, openDatabase } from '../support/databaseChecks.js';
import { Api, type ApiResponse } from '../support/http.js';

/**
 * The rules of the social routes under real concurrency, from outside: many requests sent at
 * once (fetch keeps its connections alive and opens as many as are in flight), then the
 * database read directly: counts kept with their rows equal the rows, nothing points at a row
 * that is gone. On SQLite the writes meet in Plaza's one connection; on PostgreSQL
 * (`npm run test:pg`) in several, which is where a missing lock or a read-then-write shows.
 */

interface Context {
  readonly target: InProcessTarget;
  readonly api: Api;
  readonly db: Knex;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  const databaseUrl = sharedDatabaseUrl(mkdtempSync(join(tmpdir(), 'plaza-social-races-')));
  const target = await startInProcessTarget({ databaseUrl });
  t.context = { target, api: new Api(target.baseUrl), db: openDatabase(databaseUrl) };
});

test.after.always(async (t) => {
  await t.context.db.destroy();
  await t.context.target.close();
});

/** All of `requests` in flight at once; every answer, in order. */
const together = (requests: ReadonlyArray<() => Promise<ApiResponse>>): Promise<ApiResponse[]> =>
  Promise.all(requests.map((send) => send()));

/**
 * `requests` sent over and over by as many workers, each one after the other, for as long as
 * `running` runs and then once more each: some are in flight when it commits, whenever that is.
 */
async function streamAround(
  running: Promise<ApiResponse>,
  requests: ReadonlyArray<() => Promise<ApiResponse>>,
): Promise<{ readonly result: ApiResponse; readonly answers: ApiResponse[] }> {
  let settled = false;
  void running.then(
    () => (settled = true),
    () => (settled = true),
  );
  const answers: ApiResponse[] = [];
  await Promise.all(
    requests.map(async (send) => {
      let after = 0;
      while (after < 1) {
        if (settled) after += 1;
        answers.push(await send());
      }
    }),
  );
  return { result: await running, answers };
}

const codeOf = (answer: ApiResponse): string => String(answer.body['code']);

/**
 * Each answer is one of `allowed` codes (never a 5xx); says which were not, and logs how many
 * of each came back (so a run shows whether the race was met: OK and USR_01 both present).
 */
function assertCodes(
  t: ExecutionContext,
  answers: readonly ApiResponse[],
  allowed: readonly string[],
  what: string,
): void {
  const tally = new Map<string, number>();
  for (const answer of answers) tally.set(codeOf(answer), (tally.get(codeOf(answer)) ?? 0) + 1);
  t.log(`${what}: ${[...tally].map(([code, n]) => `${code} ${n}`).join(', ')}`);
  const unexpected = answers.filter((answer) => !allowed.includes(codeOf(answer)));
  t.deepEqual(
    unexpected.map((answer) => `${answer.status} ${answer.text.slice(0, 200)}`),
    [],
    `${what}: only ${allowed.join(', ')}`,
  );
}

const count = async (db: Knex, sql: string, bindings: readonly number[] = []): Promise<number> => {
  const [row] = await selectRows<{ n: number | string }>(db, sql, bindings);
  return Number(row?.n ?? 0);
};

/**
 * Every count kept with a row against the rows it counts, and every foreign key: the
 * mismatches and orphans, empty when all hold.
 */
async function invariantProblems(db: Knex): Promise<unknown[]> {
  const mismatches = await selectRows<Record<string, unknown>>(
    db,
    `select 'posts.likes_count' as what, id, likes_count as kept,
            (select count(*) from likes where likes.post_id = posts.id) as counted
       from posts
      where likes_count <> (select count(*) from likes where likes.post_id = posts.id)
     union all
     select 'posts.comments_count', id, comments_count,
            (select count(*) from comments where comments.post_id = posts.id)
       from posts
      where comments_count <> (select count(*) from comments where comments.post_id = posts.id)
     union all
     select 'users.followers_count', id, followers_count,
            (select count(*) from follows where follows.followee_id = users.id)
       from users
      where followers_count <> (select count(*) from follows where follows.followee_id = users.id)
     union all
     select 'users.following_count', id, following_count,
            (select count(*) from follows where follows.follower_id = users.id)
       from users
      where following_count <> (select count(*) from follows where follows.follower_id = users.id)`,
  );
  return [...mismatches, ...(await foreignKeyProblems(db))];
}

async function users(api: Api, howMany: number): Promise<SignedUpUser[]> {
  const made: SignedUpUser[] = [];
  for (let i = 0; i < howMany; i += 1) made.push(await signUp(api));
  return made;
}

test.serial('twenty concurrent follows of one user make one row, and counts of one', async (t) => {
  const { api, db } = t.context;
  const [follower, followee] = await users(api, 2);
  const answers = await together(
    Array.from(
      { length: 20 },
      () => () =>
        api.post('/user/follow', { user_id: followee!.userId }, { token: follower!.token }),
    ),
  );
  assertCodes(t, answers, ['OK'], 'follows');
  t.is(
    await count(db, 'select count(*) as n from follows where follower_id = ? and followee_id = ?', [
      follower!.userId,
      followee!.userId,
    ]),
    1,
  );
  const profile = await api.get('/user/data', { user_id: followee!.userId });
  t.like(profile.body['data'], { followers_count: 1 });
  t.deepEqual(await invariantProblems(db), []);
});

test.serial('a storm of follows and unfollows leaves the counts equal to the rows', async (t) => {
  const { api, db } = t.context;
  const people = await users(api, 8);
  const requests: Array<() => Promise<ApiResponse>> = [];
  // Everyone follows and unfollows everyone else, several times over, all at once.
  for (let round = 0; round < 3; round += 1) {
    for (const from of people) {
      for (const to of people) {
        if (from === to) continue;
        const path =
          (from.userId + to.userId + round) % 2 === 0 ? '/user/follow' : '/user/unfollow';
        requests.push(() => api.post(path, { user_id: to.userId }, { token: from.token }));
      }
    }
  }
  assertCodes(t, await together(requests), ['OK'], 'follows and unfollows');
  t.deepEqual(await invariantProblems(db), []);
});

test.serial(
  'comments racing the deletion of their post: each is OK or USR_01, and none is left behind',
  async (t) => {
    const { api, db } = t.context;
    const [author, ...commenters] = await users(api, 5);
    for (let round = 0; round < 8; round += 1) {
      const postId = await createPost(api, author!.token, { title: `doomed ${round}` });
      const comments = commenters.flatMap((commenter) =>
        Array.from(
          { length: 5 },
          (_, i) => () =>
            api.post(
              '/post/comment',
              { post_id: postId, text: `comment ${i} in round ${round}` },
              { token: commenter.token },
            ),
        ),
      );
      // Comments sent one after the other on each connection while the deletion runs.
      const { result: deletedAnswer, answers } = await streamAround(
        api.post('/post/delete', { post_id: postId }, { token: author!.token }),
        comments,
      );
      t.is(codeOf(deletedAnswer), 'OK', deletedAnswer.text);
      assertCodes(t, answers, ['OK', 'USR_01'], `round ${round}`);
      t.is(await count(db, 'select count(*) as n from comments where post_id = ?', [postId]), 0);
      t.is(await count(db, 'select count(*) as n from posts where id = ?', [postId]), 0);
      const after = await api.post(
        '/post/comment',
        { post_id: postId, text: 'too late' },
        { token: commenters[0]!.token },
      );
      t.is(codeOf(after), 'USR_01');
    }
    t.deepEqual(await invariantProblems(db), []);
  },
);

test.serial(
  'edits racing a deletion leave the post whole-edited or gone, never half',
  async (t) => {
    const { api, db } = t.context;
    const [author, liker] = await users(api, 2);
    for (let round = 0; round < 10; round += 1) {
      const postId = await createPost(api, author!.token, {
        title: 'original title',
        text: 'original text',
        link: 'https://example.com/original',
      });
      await api.post('/post/like', { post_id: postId }, { token: liker!.token });
      await api.post('/post/comment', { post_id: postId, text: 'hi' }, { token: liker!.token });
      const edits = Array.from(
        { length: 6 },
        (_, i) => () =>
          api.post(
            '/post/edit',
            {
              post_id: postId,
              title: `title ${i}`,
              text: `text ${i}`,
              link: `https://example.com/${i}`,
            },
            { token: author!.token },
          ),
      );
      const deletion = () =>
        api.post('/post/delete', { post_id: postId }, { token: author!.token });
      // Every other round, the deletion is sent first; otherwise last.
      const answers = await together(round % 2 === 0 ? [deletion, ...edits] : [...edits, deletion]);
      assertCodes(t, answers, ['OK', 'USR_01'], `round ${round}`);
      t.is(codeOf(answers[round % 2 === 0 ? 0 : edits.length]!), 'OK', 'the deletion');
      // An edit that answered OK answers the post as that edit left it: all of it.
      for (const answer of answers) {
        const post = answer.body['data'] as
          { title?: string; text?: string; link?: string } | undefined;
        if (post?.title === undefined) continue;
        const i = post.title.replace('title ', '');
        t.deepEqual(
          { title: post.title, text: post.text, link: post.link },
          { title: `title ${i}`, text: `text ${i}`, link: `https://example.com/${i}` },
        );
      }
      const read = await api.get('/post/read', { post_id: postId });
      t.is(codeOf(read), 'USR_01');
      for (const table of ['likes', 'comments']) {
        t.is(
          await count(db, `select count(*) as n from ${table} where post_id = ?`, [postId]),
          0,
          table,
        );
      }
    }
    // Without a deletion: of edits racing each other, one wins whole.
    const postId = await createPost(api, author!.token, { title: 'original', text: 'original' });
    const answers = await together(
      Array.from(
        { length: 10 },
        (_, i) => () =>
          api.post(
            '/post/edit',
            { post_id: postId, title: `title ${i}`, text: `text ${i}` },
            { token: author!.token },
          ),
      ),
    );
    assertCodes(t, answers, ['OK'], 'edits');
    const post = (await api.get('/post/read', { post_id: postId })).body['data'] as {
      title: string;
      text: string;
    };
    t.regex(post.title, /^title \d$/);
    t.is(post.text, post.title.replace('title', 'text'), 'title and text from the same edit');
    t.deepEqual(await invariantProblems(db), []);
  },
);

test.serial('a storm of likes and unlikes leaves likes_count equal to the likes', async (t) => {
  const { api, db } = t.context;
  const [author, ...likers] = await users(api, 11);
  const postIds = [
    await createPost(api, author!.token),
    await createPost(api, author!.token),
    await createPost(api, author!.token),
  ];
  const requests: Array<() => Promise<ApiResponse>> = [];
  for (let round = 0; round < 4; round += 1) {
    for (const [index, liker] of likers.entries()) {
      for (const postId of postIds) {
        const path = (index + round + postId) % 3 === 0 ? '/post/unlike' : '/post/like';
        requests.push(() => api.post(path, { post_id: postId }, { token: liker.token }));
      }
    }
  }
  assertCodes(t, await together(requests), ['OK'], 'likes and unlikes');
  for (const postId of postIds) {
    const read = (await api.get('/post/read', { post_id: postId })).body['data'] as {
      likes: number;
    };
    const likes = (await api.get('/post/likes', { post_id: postId })).body['data'] as {
      user_ids: number[];
    };
    t.is(read.likes, likes.user_ids.length, `post ${postId}`);
  }
  t.deepEqual(await invariantProblems(db), []);
});

test.serial(
  'concurrent refreshes with one refresh token: at most one succeeds, and at most one token lives on',
  async (t) => {
    const { api } = t.context;
    const user = await signUp(api);
    const login = await api.post('/api-token-auth/', {
      username: user.username,
      password: user.password,
    });
    const refreshToken = (login.body['data'] as { refresh_token: string }).refresh_token;
    const answers = await together(
      Array.from(
        { length: 10 },
        () => () => api.post('/api-token-refresh/', { refresh_token: refreshToken }),
      ),
    );
    assertCodes(t, answers, ['OK', 'AUT_01'], 'refreshes');
    const won = answers.filter((answer) => codeOf(answer) === 'OK');
    t.true(won.length <= 1, `${won.length} refreshes succeeded with one token`);
    // Whatever the winner got: its refresh token and those of any other answer, tried once
    // each, leave at most one session usable.
    const successors = won.map(
      (answer) => (answer.body['data'] as { refresh_token: string }).refresh_token,
    );
    const retried = await Promise.all(
      successors.map((token) => api.post('/api-token-refresh/', { refresh_token: token })),
    );
    t.true(retried.filter((answer) => codeOf(answer) === 'OK').length <= 1);
    // The token used ten times is dead for good.
    const again = await api.post('/api-token-refresh/', { refresh_token: refreshToken });
    t.is(codeOf(again), 'AUT_01');
  },
);

test.serial(
  'an account deleted while others like, comment on and follow it (and it them) leaves no row of it and true counts',
  async (t) => {
    const { api, db } = t.context;
    for (let round = 0; round < 3; round += 1) {
      const [victim, ...others] = await users(api, 6);
      const victimPosts = [
        await createPost(api, victim!.token),
        await createPost(api, victim!.token),
      ];
      const otherPosts = [];
      for (const other of others) otherPosts.push(await createPost(api, other.token));
      const requests: Array<() => Promise<ApiResponse>> = [];
      for (const [index, other] of others.entries()) {
        const as = { token: other.token };
        const theirPost = otherPosts[index]!;
        for (const postId of victimPosts) {
          requests.push(() => api.post('/post/like', { post_id: postId }, as));
          requests.push(() => api.post('/post/comment', { post_id: postId, text: 'nice' }, as));
        }
        const mine = { token: victim!.token };
        requests.push(() => api.post('/user/follow', { user_id: victim!.userId }, as));
        requests.push(() => api.post('/user/follow', { user_id: other.userId }, mine));
        requests.push(() => api.post('/post/like', { post_id: theirPost }, mine));
        requests.push(() => api.post('/post/comment', { post_id: theirPost, text: 'hey' }, mine));
      }
      // The others sent one after the other on each connection while the deletion runs.
      const { result: deletedAnswer, answers } = await streamAround(
        api.post('/user/delete', { password: victim!.password }, { token: victim!.token }),
        requests,
      );
      t.is(codeOf(deletedAnswer), 'OK', deletedAnswer.text);
      // Acting on a user or post that is gone is USR_01; the victim's own token AUT_01.
      assertCodes(t, answers, ['OK', 'USR_01', 'AUT_01'], `round ${round}`);
      const id = victim!.userId;
      const left = {
        users: await count(db, 'select count(*) as n from users where id = ?', [id]),
        posts: await count(db, 'select count(*) as n from posts where author_id = ?', [id]),
        likes: await count(
          db,
          'select count(*) as n from likes where user_id = ? or post_id in (?, ?)',
          [id, ...victimPosts],
        ),
        comments: await count(
          db,
          'select count(*) as n from comments where author_id = ? or post_id in (?, ?)',
          [id, ...victimPosts],
        ),
        follows: await count(
          db,
          'select count(*) as n from follows where follower_id = ? or followee_id = ?',
          [id, id],
        ),
        sessions: await count(db, 'select count(*) as n from user_sessions where user_id = ?', [
          id,
        ]),
      };
      t.deepEqual(left, { users: 0, posts: 0, likes: 0, comments: 0, follows: 0, sessions: 0 });
      t.deepEqual(await invariantProblems(db), [], `round ${round}`);
    }
  },
);
