import anyTest, { type TestFn } from 'ava';
import { MISSING_PARAM_MESSAGE, NOT_FOUND_MESSAGE } from '@plaza/core/host';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import type { Api } from '../support/http.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

/** The two paths of one route: the original service's (spelt as its clients call it) and Plaza's. */
const PATHS = ['/api/analitics/', '/analytics/likes'] as const;

interface Day {
  readonly date: string;
  readonly likes: number;
}

const DAY_MS = 86_400_000;
const dayOffset = (days: number): string =>
  new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
/** From yesterday to tomorrow: today's likes are in it even when the test runs across midnight UTC. */
const AROUND_TODAY = { date_from: dayOffset(-1), date_to: dayOffset(1) };

async function likesByDay(
  api: Api,
  token: string,
  params: Record<string, string | number>,
  path: string = PATHS[1],
): Promise<Day[]> {
  const answer = await api.get(path, params, { token });
  if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.text}`);
  return (answer.body['data'] as { days: Day[] }).days;
}

const total = (days: readonly Day[]): number => days.reduce((sum, day) => sum + day.likes, 0);

async function send(api: Api, path: string, user: SignedUpUser, postId: number): Promise<void> {
  const answer = await api.post(path, { post_id: postId }, { token: user.token });
  if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.text}`);
}

async function likers(api: Api, postId: number): Promise<number[]> {
  const answer = await api.get('/post/likes', { post_id: postId });
  return (answer.body['data'] as { user_ids: number[] }).user_ids;
}

test('both paths answer the likes per day: every day, oldest first, by post and by author', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const fans = [await signUp(api), await signUp(api), await signUp(api)];
  const first = await createPost(api, author.token);
  const second = await createPost(api, author.token);
  for (const fan of fans) await send(api, '/post/like', fan, first);
  await send(api, '/post/like', fans[0] as SignedUpUser, second);

  for (const path of PATHS) {
    const byPost = await likesByDay(api, author.token, { ...AROUND_TODAY, post_id: first }, path);
    t.deepEqual(
      byPost.map((day) => day.date),
      [dayOffset(-1), dayOffset(0), dayOffset(1)],
    );
    t.is(total(byPost), 3, path);
    t.is(total(await likesByDay(api, author.token, { ...AROUND_TODAY, post_id: second }, path)), 1);
    t.is(
      total(
        await likesByDay(api, author.token, { ...AROUND_TODAY, author_id: author.userId }, path),
      ),
      4,
    );
    t.true(total(await likesByDay(api, author.token, AROUND_TODAY, path)) >= 4);
  }

  // An unlike takes the like off; a repeated one changes nothing; so does a repeated like.
  await send(api, '/post/unlike', fans[1] as SignedUpUser, first);
  await send(api, '/post/unlike', fans[1] as SignedUpUser, first);
  await send(api, '/post/like', fans[0] as SignedUpUser, first);
  t.is(total(await likesByDay(api, author.token, { ...AROUND_TODAY, post_id: first })), 2);

  // A deleted post's likes go with it.
  await send(api, '/post/delete', author, second);
  t.is(
    total(await likesByDay(api, fans[2]!.token, { ...AROUND_TODAY, author_id: author.userId })),
    2,
  );

  // Days nobody liked anything of this author's are there, as 0.
  const quiet = await likesByDay(api, author.token, {
    date_from: '2020-02-27',
    date_to: '2020-03-01',
    author_id: author.userId,
  });
  t.deepEqual(quiet, [
    { date: '2020-02-27', likes: 0 },
    { date: '2020-02-28', likes: 0 },
    { date: '2020-02-29', likes: 0 },
    { date: '2020-03-01', likes: 0 },
  ]);
});

test('a year of 366 days is answered; the original path keeps its trailing slash, as /api-token-auth/ does', async (t) => {
  const { api } = t.context;
  const user = await signUp(api);
  const year = await likesByDay(api, user.token, {
    date_from: '2024-01-01',
    date_to: '2024-12-31',
  });
  t.is(year.length, 366);
  t.is(year[0]?.date, '2024-01-01');
  t.is(year.at(-1)?.date, '2024-12-31');
  // Query string, form and JSON parameters all work, and Bearer as well as JWT.
  const viaBearer = await api.get(
    '/api/analitics/',
    { date_from: '2024-01-01', date_to: '2024-01-02' },
    { token: user.token, scheme: 'Bearer' },
  );
  t.is(viaBearer.status, 200);

  const withoutSlash = await api.get(
    '/api/analitics',
    { date_from: '2024-01-01', date_to: '2024-01-02' },
    { token: user.token },
  );
  t.is(withoutSlash.status, 404);
  t.deepEqual(withoutSlash.body, { code: 'USR_01', message: NOT_FOUND_MESSAGE });
});

test('it needs a token: AUT_01 without one or with a bad one', async (t) => {
  const { api } = t.context;
  for (const path of PATHS) {
    const anonymous = await api.get(path, { date_from: '2024-01-01', date_to: '2024-01-02' });
    t.is(anonymous.status, 401);
    t.is(anonymous.body['code'], 'AUT_01');
    const forged = await api.get(
      path,
      { date_from: '2024-01-01', date_to: '2024-01-02' },
      { token: 'not.a.token' },
    );
    t.is(forged.status, 401);
    t.is(forged.body['code'], 'AUT_01');
  }
});

test('bad dates, a reversed or too long range, and both filters are USR_02 naming the field', async (t) => {
  const { api } = t.context;
  const user = await signUp(api);
  const cases: Array<[Record<string, string | number>, number, string, string]> = [
    [{ date_to: '2026-01-01' }, 400, 'PAR_01', 'date_from'],
    [{ date_from: '2026-01-01' }, 400, 'PAR_01', 'date_to'],
    [{ date_from: '2026-02-30', date_to: '2026-03-01' }, 400, 'USR_02', 'date_from'],
    [{ date_from: '2026-1-1', date_to: '2026-03-01' }, 400, 'USR_02', 'date_from'],
    [{ date_from: '2026-01-01', date_to: '2026-01-01T00:00:00Z' }, 400, 'USR_02', 'date_to'],
    [{ date_from: '2026-01-02', date_to: '2026-01-01' }, 400, 'USR_02', 'date_from'],
    [{ date_from: '2025-01-01', date_to: '2026-01-02' }, 400, 'USR_02', 'date_to'],
    [{ date_from: '2026-01-01', date_to: '2026-01-02', post_id: 'x' }, 400, 'USR_02', 'post_id'],
    [{ date_from: '2026-01-01', date_to: '2026-01-02', author_id: 0 }, 400, 'USR_02', 'author_id'],
    [
      { date_from: '2026-01-01', date_to: '2026-01-02', post_id: 1, author_id: user.userId },
      400,
      'USR_02',
      'author_id',
    ],
  ];
  for (const path of PATHS) {
    for (const [params, status, code, field] of cases) {
      const answer = await api.get(path, params, { token: user.token });
      const what = `${path} ${JSON.stringify(params)}`;
      t.is(answer.status, status, what);
      t.is(answer.body['code'], code, what);
      t.is(answer.body['field'], field, what);
      if (code === 'PAR_01') t.is(answer.body['message'], MISSING_PARAM_MESSAGE);
      else t.is(typeof answer.body['message'], 'string');
    }
  }
  const reversed = await api.get(
    '/analytics/likes',
    { date_from: '2026-01-02', date_to: '2026-01-01' },
    { token: user.token },
  );
  t.is(reversed.body['message'], 'date_from must not be after date_to.');
  for (const filter of [{ post_id: 2_000_000_000 }, { author_id: 2_000_000_000 }]) {
    const missing = await api.get(
      '/analytics/likes',
      { date_from: '2026-01-01', date_to: '2026-01-02', ...filter },
      { token: user.token },
    );
    t.is(missing.status, 404);
    t.deepEqual(missing.body, { code: 'USR_01', message: NOT_FOUND_MESSAGE });
  }
});

test('many likes and unlikes at once: the days add up to the likes that are left', async (t) => {
  const { api } = t.context;
  const author = await signUp(api);
  const fans: SignedUpUser[] = [];
  for (let i = 0; i < 6; i += 1) fans.push(await signUp(api));
  const posts: number[] = [];
  for (let i = 0; i < 4; i += 1) posts.push(await createPost(api, author.token));
  for (let round = 0; round < 5; round += 1) {
    await Promise.all(
      fans.flatMap((fan, f) =>
        posts.map((postId, p) =>
          send(api, (f + p + round) % 3 === 0 ? '/post/unlike' : '/post/like', fan, postId),
        ),
      ),
    );
  }
  let left = 0;
  for (const postId of posts) {
    const count = (await likers(api, postId)).length;
    left += count;
    t.is(total(await likesByDay(api, author.token, { ...AROUND_TODAY, post_id: postId })), count);
  }
  t.true(left > 0 && left < fans.length * posts.length, `${left} likes left`);
  t.is(
    total(await likesByDay(api, author.token, { ...AROUND_TODAY, author_id: author.userId })),
    left,
  );
});
