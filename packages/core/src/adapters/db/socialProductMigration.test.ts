import test from 'ava';
import type { Knex } from 'knex';
import { createPlaza } from '../../createPlaza.js';
import { dialectOf, schemaOf } from './createKnex.js';
import { migrationSource } from './migrationSource.js';
import { migrationTables } from './migrationTables.js';
import { databaseUrlIn, openDatabase, temporaryDirectory, testOptions } from '@plaza/testkit';

/** The migrations up to and including `last`, as an older Plaza had them. */
const migrationsUpTo = (last: string): Knex.MigrationSource<string> => ({
  ...migrationSource,
  getMigrations: async (loadExtensions) =>
    (await migrationSource.getMigrations(loadExtensions)).filter((name) => name <= last),
});

test('an upgraded database keeps each post’s like count with the post, past one batch of posts', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const db = openDatabase(databaseUrl);
  t.teardown(() => db.destroy());
  if (dialectOf(db) === 'postgres') await db.raw('create schema if not exists ??', [schemaOf(db)]);
  await db.migrate.latest({
    migrationSource: migrationsUpTo('20261207000004_username_skeletons'),
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
  // More posts than the backfill takes at once, with likes on the first and the last.
  const posts = Array.from({ length: 1_203 }, (_, index) => ({
    author_id: userIds[index % 3],
    title: `post ${index}`,
    text: 'text',
    posted_at: now,
    edited_at: now,
  }));
  const postIds: number[] = [];
  for (let start = 0; start < posts.length; start += 200) {
    const rows = await db('posts')
      .insert(posts.slice(start, start + 200))
      .returning<Array<{ id: number | string }>>('id');
    postIds.push(...rows.map((row) => Number(row.id)));
  }
  const first = postIds[0] as number;
  const last = postIds.at(-1) as number;
  const likes = [
    ...userIds.map((user_id) => ({ post_id: first, user_id, created_at: now })),
    ...userIds.slice(0, 2).map((user_id) => ({ post_id: last, user_id, created_at: now })),
  ];
  await db('likes').insert(likes);

  const upgraded = await createPlaza(testOptions({ databaseUrl }));
  t.teardown(() => upgraded.close());
  type CountRow = {
    id: number | string;
    likes_count: number | string;
    comments_count: number | string;
  };
  const counts = await db('posts')
    .select<CountRow[]>('id', 'likes_count', 'comments_count')
    .orderBy('id');
  t.is(counts.length, 1_203);
  const likesOf = new Map(counts.map((row) => [Number(row.id), Number(row.likes_count)]));
  t.is(likesOf.get(first), 3);
  t.is(likesOf.get(last), 2);
  t.is(counts.filter((row) => Number(row.likes_count) > 0).length, 2);
  t.true(counts.every((row) => Number(row.comments_count) === 0));
  const users = await db('users').select<
    Array<{ followers_count: number | string; following_count: number | string }>
  >('followers_count', 'following_count');
  t.true(
    users.every((row) => Number(row.followers_count) === 0 && Number(row.following_count) === 0),
  );
});
