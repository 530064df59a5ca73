import test, { type ExecutionContext } from 'ava';
import type { Knex } from 'knex';
import { createPlaza, type Plaza } from '../createPlaza.js';
import type { ErrorCode } from '../errors.js';
import { dialectOf, schemaOf } from '../adapters/db/createKnex.js';
import { migrationSource } from '../adapters/db/migrationSource.js';
import { migrationTables } from '../adapters/db/migrationTables.js';
import { LIKE_DAYS_BACKFILL_BATCH } from '../adapters/db/migrations/20261209000001_like_days.js';
import { selectRows } from '../adapters/db/selectRows.js';
import { utcDayOf } from './likeDays.js';
import {
  aPost,
  databaseUrlIn,
  openDatabase,
  rejectsWithPlazaError,
  signedUpUser,
  temporaryDirectory,
  testOptions,
  untyped,
  type Teardown,
} from '@plaza/testkit';

/**
 * The invariant of the kept likes per day: for any range and filter, `plaza.analytics.likes`
 * equals a recount of the likes table grouped by the UTC day of each like's `created_at`.
 */

const DAY_MS = 86_400_000;
const dayOffset = (days: number): string =>
  new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

interface World {
  readonly plaza: Plaza;
  readonly db: Knex;
}

async function world(t: Teardown): Promise<World> {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const plaza = await createPlaza(testOptions({ databaseUrl }));
  const db = openDatabase(databaseUrl);
  t.teardown(async () => {
    await db.destroy();
    await plaza.close();
  });
  return { plaza, db };
}

type Filter = { readonly post_id?: number; readonly author_id?: number };

/** The likes per day from `from` to `to` (UTC days), counted from the likes themselves. */
async function recount(db: Knex, from: string, to: string, filter: Filter = {}) {
  const day = utcDayOf(dialectOf(db), 'likes.created_at');
  const rows = await selectRows<{ day: string; n: number | string }>(
    db,
    `select ${day} as day, count(*) as n from likes join posts on posts.id = likes.post_id
      where (? = 0 or likes.post_id = ?) and (? = 0 or posts.author_id = ?)
      group by ${day}`,
    [filter.post_id ?? 0, filter.post_id ?? 0, filter.author_id ?? 0, filter.author_id ?? 0],
  );
  const counts = new Map(rows.map((row) => [row.day, Number(row.n)]));
  const days = [];
  for (
    let at = Date.parse(`${from}T00:00:00Z`);
    at <= Date.parse(`${to}T00:00:00Z`);
    at += DAY_MS
  ) {
    const date = new Date(at).toISOString().slice(0, 10);
    days.push({ date, likes: counts.get(date) ?? 0 });
  }
  return { days };
}

/** Asserts the invariant over `from`..`to` for every filter given, and no filter. */
async function assertRecounted(
  t: ExecutionContext,
  { plaza, db }: World,
  from: string,
  to: string,
  filters: readonly Filter[],
): Promise<void> {
  for (const filter of [{}, ...filters]) {
    const range = { date_from: from, date_to: to, ...filter };
    t.deepEqual(
      await plaza.analytics.likes(range),
      await recount(db, from, to, filter),
      JSON.stringify(filter),
    );
  }
}

/**
 * Moves every like (and its kept day) `days` back, as if the likes had been made then: the
 * database is then what it would be had they been.
 */
async function ageLikes(db: Knex, days: number): Promise<void> {
  const likes = await db('likes').select<
    Array<{ post_id: number; user_id: number; created_at: string | Date }>
  >('post_id', 'user_id', 'created_at');
  for (const like of likes) {
    const moved = new Date(new Date(like.created_at).getTime() - days * DAY_MS).toISOString();
    await db('likes')
      .where({ post_id: like.post_id, user_id: like.user_id })
      .update({ created_at: moved });
  }
  const shift = async (table: string) => {
    const rows = (await db(table).distinct('day').orderBy('day')) as Array<{ day: string }>;
    for (const { day } of rows) {
      const moved = new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY_MS)
        .toISOString()
        .slice(0, 10);
      await db(table).where('day', day).update({ day: moved });
    }
  };
  await shift('like_days');
  await shift('like_day_totals');
}

test('likes, unlikes, a post’s deletion and an account’s deletion keep the days equal to a recount', async (t) => {
  const w = await world(t);
  const { plaza } = w;
  const ann = await signedUpUser(plaza);
  const bob = await signedUpUser(plaza);
  const cy = await signedUpUser(plaza);
  const annPosts: number[] = [];
  for (let i = 0; i < 3; i += 1) annPosts.push((await plaza.posts.create(ann.id, aPost())).post_id);
  const bobPost = (await plaza.posts.create(bob.id, aPost())).post_id;
  const from = dayOffset(-5);
  const to = dayOffset(1);
  const filters = [
    { post_id: annPosts[0] as number },
    { post_id: bobPost },
    { author_id: ann.id },
    { author_id: bob.id },
  ];

  // Made "three days ago": bob and cy like ann's posts, ann and cy like bob's.
  for (const postId of annPosts) {
    await plaza.likes.like(bob.id, { post_id: postId });
    await plaza.likes.like(cy.id, { post_id: postId });
  }
  await plaza.likes.like(ann.id, { post_id: bobPost });
  await plaza.likes.like(cy.id, { post_id: bobPost });
  await ageLikes(w.db, 3);
  // Made today.
  await plaza.likes.like(ann.id, { post_id: annPosts[0] as number });
  await plaza.likes.like(bob.id, { post_id: bobPost });
  await assertRecounted(t, w, from, to, filters);
  const threeDaysAgo = (
    await plaza.analytics.likes({ date_from: dayOffset(-3), date_to: dayOffset(-3) })
  ).days;
  t.deepEqual(threeDaysAgo, [{ date: dayOffset(-3), likes: 8 }]);

  // Taken back today: it comes off the day it was made, three days ago.
  await plaza.likes.unlike(bob.id, { post_id: annPosts[1] as number });
  await plaza.likes.unlike(bob.id, { post_id: annPosts[1] as number });
  t.deepEqual(
    (await plaza.analytics.likes({ date_from: dayOffset(-3), date_to: dayOffset(-3) })).days,
    [{ date: dayOffset(-3), likes: 7 }],
  );
  await assertRecounted(t, w, from, to, filters);

  // A post deleted with its likes.
  await plaza.posts.delete(ann.id, { post_id: annPosts[2] as number });
  await assertRecounted(t, w, from, to, filters);

  // An account deleted: its posts with their likes, and its likes of others' posts.
  await plaza.account.delete(cy.id, { password: cy.input.password });
  await assertRecounted(t, w, from, to, filters);
  await plaza.account.delete(ann.id, { password: ann.input.password });
  await assertRecounted(t, w, from, to, [{ post_id: bobPost }, { author_id: bob.id }]);
  t.deepEqual(
    await plaza.analytics.likes({ date_from: from, date_to: to, author_id: bob.id }),
    await recount(w.db, from, to, { author_id: bob.id }),
  );
  const total = (await plaza.analytics.likes({ date_from: from, date_to: to })).days.reduce(
    (sum, day) => sum + day.likes,
    0,
  );
  t.is(total, 1, 'bob’s own like of his post is all that is left');
});

test('many likes and unlikes at once leave the days equal to a recount', async (t) => {
  const w = await world(t);
  const { plaza } = w;
  const users: number[] = [];
  for (let i = 0; i < 8; i += 1) users.push((await signedUpUser(plaza)).id);
  const posts: number[] = [];
  for (let i = 0; i < 6; i += 1) {
    posts.push((await plaza.posts.create(users[i % 2] as number, aPost())).post_id);
  }
  // Rounds of concurrent likes and unlikes of the same posts by the same users.
  for (let round = 0; round < 6; round += 1) {
    await Promise.all(
      users.flatMap((userId, u) =>
        posts.map((postId, p) =>
          (u + p + round) % 3 === 0
            ? plaza.likes.unlike(userId, { post_id: postId })
            : plaza.likes.like(userId, { post_id: postId }),
        ),
      ),
    );
  }
  const liked = Number(
    (await selectRows<{ n: number | string }>(w.db, 'select count(*) as n from likes'))[0]?.n,
  );
  t.true(liked > 0 && liked < users.length * posts.length, `${liked} likes left`);
  await assertRecounted(t, w, dayOffset(-1), dayOffset(1), [
    { post_id: posts[0] as number },
    { author_id: users[0] as number },
    { author_id: users[1] as number },
  ]);
});

test('a post and an account deleted amid likes and unlikes leave the days equal to a recount', async (t) => {
  const w = await world(t);
  const { plaza } = w;
  const users: Array<{ id: number; password: string }> = [];
  for (let i = 0; i < 6; i += 1) {
    const user = await signedUpUser(plaza);
    users.push({ id: user.id, password: user.input.password });
  }
  const posts: number[] = [];
  for (let i = 0; i < 6; i += 1) {
    posts.push((await plaza.posts.create(users[i % 3]!.id, aPost())).post_id);
  }
  // Everyone likes everything, then: likes and unlikes race with the deletion of a post
  // (users[0]'s first) and of an account that wrote posts and liked others (users[1]).
  await Promise.all(
    users.flatMap(({ id }) => posts.map((postId) => plaza.likes.like(id, { post_id: postId }))),
  );
  const churn = (round: number) =>
    users.slice(2).flatMap(({ id }, u) =>
      posts.map((postId, p) =>
        ((u + p + round) % 2 === 0
          ? plaza.likes.unlike(id, { post_id: postId })
          : plaza.likes.like(id, { post_id: postId })
        ).catch((error: unknown) => {
          // The deleted post, or the deleted account's posts, may be gone by then.
          if ((error as { code?: string }).code !== 'USR_01') throw error;
        }),
      ),
    );
  await Promise.all([
    ...churn(0),
    plaza.posts.delete(users[0]!.id, { post_id: posts[0]! }),
    ...churn(1),
    plaza.account.delete(users[1]!.id, { password: users[1]!.password }),
    ...churn(2),
  ]);
  await assertRecounted(t, w, dayOffset(-1), dayOffset(1), [
    { post_id: posts[2]! },
    { author_id: users[0]!.id },
    { author_id: users[2]!.id },
  ]);
});

test('every day of the range is there, oldest first, zero when nobody liked', async (t) => {
  const { plaza } = await world(t);
  const { days } = await plaza.analytics.likes({ date_from: '2024-02-27', date_to: '2024-03-02' });
  t.deepEqual(days, [
    { date: '2024-02-27', likes: 0 },
    { date: '2024-02-28', likes: 0 },
    { date: '2024-02-29', likes: 0 },
    { date: '2024-03-01', likes: 0 },
    { date: '2024-03-02', likes: 0 },
  ]);
  const year = await plaza.analytics.likes({ date_from: '2024-01-01', date_to: '2024-12-31' });
  t.is(year.days.length, 366);
  // Every date as Date writes it, across month and year ends, leap years and 2100 (not one).
  for (const [from, to] of [
    ['2024-06-15', '2025-06-14'],
    ['2099-12-01', '2100-11-30'],
  ] as const) {
    const { days: dates } = await plaza.analytics.likes({ date_from: from, date_to: to });
    const start = Date.parse(`${from}T00:00:00Z`);
    t.deepEqual(
      dates.map((day) => day.date),
      dates.map((_, index) => new Date(start + index * DAY_MS).toISOString().slice(0, 10)),
    );
    t.is(dates.at(-1)?.date, to);
  }
});

test('bad ranges and filters are USR_02 naming the field; an unknown post or author USR_01', async (t) => {
  const { plaza } = await world(t);
  const cases: Array<[Record<string, unknown>, ErrorCode, string]> = [
    [{ date_to: '2026-01-01' }, 'PAR_01', 'date_from'],
    [{ date_from: '2026-01-01' }, 'PAR_01', 'date_to'],
    [{ date_from: '2026-02-30', date_to: '2026-03-01' }, 'USR_02', 'date_from'],
    [{ date_from: '2026-01-01', date_to: '01/02/2026' }, 'USR_02', 'date_to'],
    [{ date_from: '2026-01-02', date_to: '2026-01-01' }, 'USR_02', 'date_from'],
    [{ date_from: '2025-01-01', date_to: '2026-01-02' }, 'USR_02', 'date_to'],
    [{ date_from: '2026-01-01', date_to: '2026-01-02', post_id: 'x' }, 'USR_02', 'post_id'],
    [
      { date_from: '2026-01-01', date_to: '2026-01-02', post_id: 1, author_id: 1 },
      'USR_02',
      'author_id',
    ],
  ];
  for (const [input, code, field] of cases) {
    await rejectsWithPlazaError(t, plaza.analytics.likes(untyped(input)), { code, field });
  }
  for (const filter of [{ post_id: 987_654 }, { author_id: 987_654 }]) {
    await rejectsWithPlazaError(
      t,
      plaza.analytics.likes({ date_from: '2026-01-01', date_to: '2026-01-02', ...filter }),
      { code: 'USR_01' },
    );
  }
});

/** The migrations up to and including `last`, as an older Plaza had them. */
const migrationsUpTo = (last: string): Knex.MigrationSource<string> => ({
  ...migrationSource,
  getMigrations: async (loadExtensions) =>
    (await migrationSource.getMigrations(loadExtensions)).filter((name) => name <= last),
});

test('an upgraded database counts the likes already there per day, past one batch of posts', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const db = openDatabase(databaseUrl);
  t.teardown(() => db.destroy());
  if (dialectOf(db) === 'postgres') await db.raw('create schema if not exists ??', [schemaOf(db)]);
  await db.migrate.latest({
    migrationSource: migrationsUpTo('20261208000005_account'),
    ...migrationTables(db),
  });
  const now = new Date().toISOString();
  const userIds: number[] = [];
  for (const username of ['ann', 'bob', 'cy']) {
    const [row] = await db('users')
      .insert({
        username,
        username_key: username,
        username_skeleton: username,
        email: `${username}@example.com`,
        email_verdict: 'valid',
        password_hash: 'not-a-real-hash',
        created_at: now,
        updated_at: now,
      })
      .returning<Array<{ id: number }>>('id');
    userIds.push(Number(row?.id));
  }
  const count = LIKE_DAYS_BACKFILL_BATCH * 2 + 3;
  const postIds: number[] = [];
  for (let start = 0; start < count; start += 200) {
    const rows = await db('posts')
      .insert(
        Array.from({ length: Math.min(200, count - start) }, (_, index) => ({
          author_id: userIds[(start + index) % 3],
          title: `post ${start + index}`,
          text: 'text',
          posted_at: now,
          edited_at: now,
        })),
      )
      .returning<Array<{ id: number | string }>>('id');
    postIds.push(...rows.map((row) => Number(row.id)));
  }
  // Likes on the first, a middle and the last post, on both sides of midnight UTC.
  const first = postIds[0] as number;
  const middle = postIds[LIKE_DAYS_BACKFILL_BATCH + 7] as number;
  const last = postIds.at(-1) as number;
  const times = [
    '2026-03-01T23:59:59.999Z',
    '2026-03-02T00:00:00.000Z',
    '2026-03-02T12:00:00.000Z',
  ];
  const likes = [first, middle, last].flatMap((postId, p) =>
    userIds.map((userId, u) => ({
      post_id: postId,
      user_id: userId,
      created_at: times[(p + u) % 3],
    })),
  );
  await db('likes').insert(likes);

  const upgraded = await createPlaza(testOptions({ databaseUrl }));
  t.teardown(() => upgraded.close());
  const w = { plaza: upgraded, db };
  await assertRecounted(t, w, '2026-02-28', '2026-03-03', [
    { post_id: first },
    { post_id: middle },
    { post_id: last },
    { author_id: userIds[0] as number },
    { author_id: userIds[2] as number },
  ]);
  t.deepEqual(
    (await upgraded.analytics.likes({ date_from: '2026-03-01', date_to: '2026-03-02' })).days,
    [
      { date: '2026-03-01', likes: 3 },
      { date: '2026-03-02', likes: 6 },
    ],
  );
});
