import test, { type ExecutionContext } from 'ava';
import type { Knex } from 'knex';
import { insertUsers, migratedDatabase, rejectsWithPlazaError } from '@plaza/testkit';
import type { UserFollowed } from '../events/PlazaEvents.js';
import { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import { InProcessEventBus } from '../events/InProcessEventBus.js';
import { InboxWriter } from '../inbox/InboxWriter.js';
import { dialectOf } from '../adapters/db/createKnex.js';
import { FollowService } from './FollowService.js';

interface Setup {
  readonly db: Knex;
  readonly follows: FollowService;
  readonly events: InProcessEventBus;
  readonly userIds: number[];
  /** The statements run since the last call. */
  readonly statements: () => string[];
}

async function setUp(t: ExecutionContext, users: number): Promise<Setup> {
  const db = await migratedDatabase(t);
  const userIds = await insertUsers(db, users);
  const events = new InProcessEventBus();
  const writes = new WriteBatcher(db);
  t.teardown(() => writes.close());
  let seen: string[] = [];
  db.on('query', (query: { sql: string }) => {
    seen.push(query.sql);
  });
  return {
    db,
    follows: new FollowService({ db, writes, events, inbox: new InboxWriter(dialectOf(db)) }),
    events,
    userIds,
    statements: () => {
      const run = seen.filter((sql) => !/^(begin|commit|savepoint|release)/i.test(sql));
      seen = [];
      return run;
    },
  };
}

test('a page costs one query signed out, two signed in, whatever its length', async (t) => {
  const { follows, userIds, statements } = await setUp(t, 102);
  const [star = 0, viewer = 0, ...fans] = userIds;
  for (const fan of fans) await follows.follow(fan, { user_id: star });
  await follows.follow(viewer, { user_id: fans[0] ?? 0 });
  statements();

  for (const limit of [1, 20, 100]) {
    const page = await follows.followers({ user_id: star, limit });
    t.is(page.users.length, limit);
    t.is(statements().length, 1, `signed out, ${limit} a page`);

    const seen = await follows.followers({ user_id: star, limit }, viewer);
    t.is(seen.users.length, limit);
    t.is(statements().length, 2, `signed in, ${limit} a page`);
  }
  // Whom you follow yourself: each of them, known without asking.
  await follows.following({ user_id: viewer }, viewer);
  t.is(statements().length, 1);
  // An empty page asks whether the user exists, and nothing else.
  t.deepEqual(await follows.following({ user_id: star }, viewer), { users: [], next: null });
  t.is(statements().length, 2);
  await rejectsWithPlazaError(t, follows.followers({ user_id: 987_654 }, viewer), {
    code: 'USR_01',
  });
  t.is(statements().length, 2);
});

test('a follow announces user.followed once, with the count after it', async (t) => {
  const { follows, events, userIds } = await setUp(t, 3);
  const [star = 0, ada = 0, bob = 0] = userIds;
  const announced: UserFollowed[] = [];
  events.subscribe('user.followed', (payload) => announced.push(payload));
  await Promise.all([
    follows.follow(ada, { user_id: star }),
    follows.follow(ada, { user_id: star }),
    follows.follow(ada, { user_id: star }),
  ]);
  await follows.follow(bob, { user_id: star });
  await follows.unfollow(ada, { user_id: star });
  const [first, second] = announced;
  t.deepEqual(announced, [
    {
      user_id: star,
      by_user_id: ada,
      followers_count: 1,
      inbox_id: first?.inbox_id,
      inbox_after: 0,
    },
    {
      user_id: star,
      by_user_id: bob,
      followers_count: 2,
      inbox_id: second?.inbox_id,
      // Kept in the followed's inbox right after the first one.
      inbox_after: first?.inbox_id,
    },
  ]);
  t.true((second?.inbox_id ?? 0) > (first?.inbox_id ?? 0));
});

test('counts match the rows after concurrent follows and unfollows, mutual ones included', async (t) => {
  const { db, follows, userIds } = await setUp(t, 8);
  const work: Array<Promise<void>> = [];
  for (let round = 0; round < 5; round += 1) {
    for (const from of userIds) {
      for (const to of userIds) {
        if (from === to) continue;
        const unfollow = (round * 7 + from * 3 + to) % 4 === 0;
        work.push(
          unfollow
            ? follows.unfollow(from, { user_id: to })
            : follows.follow(from, { user_id: to }),
        );
      }
    }
  }
  await Promise.all(work);
  const rows = await db('follows').select<Array<{ follower_id: number; followee_id: number }>>(
    'follower_id',
    'followee_id',
  );
  const users = await db('users').select<
    Array<{ id: number; followers_count: number; following_count: number }>
  >('id', 'followers_count', 'following_count');
  for (const user of users) {
    t.is(user.followers_count, rows.filter((row) => row.followee_id === user.id).length);
    t.is(user.following_count, rows.filter((row) => row.follower_id === user.id).length);
  }
  t.is(new Set(rows.map((row) => `${row.follower_id}>${row.followee_id}`)).size, rows.length);
});

test('a follow of a user who is gone is USR_01 and changes no count', async (t) => {
  const { db, follows, userIds } = await setUp(t, 1);
  const [ada = 0] = userIds;
  await rejectsWithPlazaError(t, follows.follow(ada, { user_id: 987_654 }), { code: 'USR_01' });
  await rejectsWithPlazaError(t, follows.unfollow(ada, { user_id: 987_654 }), { code: 'USR_01' });
  // The token's user is gone (deleted since the token was issued): AUT_01.
  await rejectsWithPlazaError(t, follows.follow(987_654, { user_id: ada }), { code: 'AUT_01' });
  t.like(await db('users').select('followers_count', 'following_count').where('id', ada).first(), {
    followers_count: 0,
    following_count: 0,
  });
  t.deepEqual(await db('follows').select('id'), []);
});
