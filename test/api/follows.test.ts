import anyTest, { type TestFn } from 'ava';
import { signUp, type SignedUpUser } from '../support/builders.js';
import type { Api } from '../support/http.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

interface ProfileData {
  readonly user_id: number;
  readonly username: string;
  readonly email?: string;
  readonly followers_count: number;
  readonly following_count: number;
  readonly following?: boolean;
}

interface ProfilePageData {
  readonly users: ProfileData[];
  readonly next: number | null;
}

async function profileOf(api: Api, userId: number, token?: string): Promise<ProfileData> {
  const answer = await api.get(
    '/user/data',
    { user_id: userId },
    token === undefined ? {} : { token },
  );
  if (answer.status !== 200) throw new Error(`profile: ${answer.status} ${answer.text}`);
  return answer.body['data'] as ProfileData;
}

const counts = async (api: Api, user: SignedUpUser) => {
  const { followers_count, following_count } = await profileOf(api, user.userId);
  return { followers: followers_count, following: following_count };
};

/** Every page of a list, following `next`. */
async function wholeList(
  api: Api,
  path: '/user/followers' | '/user/following',
  userId: number,
  options: { limit?: number; token?: string } = {},
): Promise<ProfileData[]> {
  const seen: ProfileData[] = [];
  let before: number | null = null;
  for (let page = 0; page < 1000; page += 1) {
    const params: Record<string, number> = { user_id: userId };
    if (options.limit !== undefined) params['limit'] = options.limit;
    if (before !== null) params['before'] = before;
    const answer = await api.get(
      path,
      params,
      options.token === undefined ? {} : { token: options.token },
    );
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.text}`);
    const data = answer.body['data'] as ProfilePageData;
    seen.push(...data.users);
    before = data.next;
    if (before === null) return seen;
  }
  throw new Error(`${path} did not end`);
}

test('follow and unfollow change both counts, once however often they are repeated', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api);
  const bob = await signUp(api);
  t.deepEqual(await counts(api, ada), { followers: 0, following: 0 });

  for (let i = 0; i < 3; i += 1) {
    const followed = await api.post('/user/follow', { user_id: bob.userId }, { token: ada.token });
    t.is(followed.status, 200);
    t.deepEqual(followed.body, { code: 'OK' });
  }
  t.deepEqual(await counts(api, ada), { followers: 0, following: 1 });
  t.deepEqual(await counts(api, bob), { followers: 1, following: 0 });

  for (let i = 0; i < 3; i += 1) {
    const unfollowed = await api.post(
      '/user/unfollow',
      { user_id: bob.userId },
      { token: ada.token, as: 'json' },
    );
    t.deepEqual(unfollowed.body, { code: 'OK' });
  }
  t.deepEqual(await counts(api, ada), { followers: 0, following: 0 });
  t.deepEqual(await counts(api, bob), { followers: 0, following: 0 });
});

test('a profile says whether the signed-in caller follows the user; never for anonymous', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api);
  const bob = await signUp(api);
  await api.post('/user/follow', { user_id: bob.userId }, { token: ada.token });

  const seenByAda = await profileOf(api, bob.userId, ada.token);
  t.is(seenByAda.following, true);
  const seenByBob = await profileOf(api, ada.userId, bob.token);
  t.is(seenByBob.following, false);
  const anonymous = await profileOf(api, bob.userId);
  t.false('following' in anonymous);
  const own = await api.get('/user/data', {}, { token: ada.token });
  t.like(own.body['data'], { user_id: ada.userId, email: ada.email, following: false });

  // The new keys come after the old ones, which keep their order.
  t.deepEqual(Object.keys(seenByAda), [
    'user_id',
    'username',
    'first_name',
    'last_name',
    'birth_date',
    'location',
    'city',
    'state',
    'country',
    'lat',
    'lng',
    'bio',
    'site',
    'avatar',
    'followers_count',
    'following_count',
    'following',
  ]);
});

test('following yourself is USR_02 on user_id; a missing user USR_01; both need a token', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api);
  for (const path of ['/user/follow', '/user/unfollow']) {
    const self = await api.post(path, { user_id: ada.userId }, { token: ada.token });
    t.is(self.status, 400);
    t.deepEqual(self.body, {
      code: 'USR_02',
      message: 'You cannot follow yourself.',
      field: 'user_id',
    });
    const missing = await api.post(path, { user_id: 987654321 }, { token: ada.token });
    t.is(missing.status, 404);
    t.deepEqual(missing.body, { code: 'USR_01', message: 'Object not found.' });
    const noId = await api.post(path, {}, { token: ada.token });
    t.like(noId.body, { code: 'PAR_01', field: 'user_id' });
    const malformed = await api.post(path, { user_id: 'abc' }, { token: ada.token });
    t.like(malformed.body, { code: 'USR_02', field: 'user_id' });
    const anonymous = await api.post(path, { user_id: ada.userId });
    t.is(anonymous.status, 401);
    t.is(anonymous.body['code'], 'AUT_01');
  }
  t.deepEqual(await counts(api, ada), { followers: 0, following: 0 });
});

test('followers and following: newest follow first, paged with the cursor, with counts', async (t) => {
  const { api } = t.context;
  const star = await signUp(api);
  const fans: SignedUpUser[] = [];
  for (let i = 0; i < 7; i += 1) fans.push(await signUp(api));
  for (const fan of fans) {
    await api.post('/user/follow', { user_id: star.userId }, { token: fan.token });
  }
  const followers = await wholeList(api, '/user/followers', star.userId, { limit: 3 });
  t.deepEqual(
    followers.map((profile) => profile.user_id),
    fans.map((fan) => fan.userId).reverse(),
  );
  t.true(followers.every((profile) => profile.following_count === 1));
  t.true(followers.every((profile) => !('following' in profile) && !('email' in profile)));

  // The star follows three of them back, oldest first.
  for (const fan of fans.slice(0, 3)) {
    await api.post('/user/follow', { user_id: fan.userId }, { token: star.token });
  }
  const following = await wholeList(api, '/user/following', star.userId, { limit: 2 });
  t.deepEqual(
    following.map((profile) => profile.user_id),
    fans
      .slice(0, 3)
      .map((fan) => fan.userId)
      .reverse(),
  );
  t.true(following.every((profile) => profile.followers_count === 1));

  // Signed in, each profile says whether the caller follows it.
  const seenByStar = await wholeList(api, '/user/followers', star.userId, { token: star.token });
  const followedBack = new Set(fans.slice(0, 3).map((fan) => fan.userId));
  t.deepEqual(
    seenByStar.map((profile) => profile.following),
    seenByStar.map((profile) => followedBack.has(profile.user_id)),
  );
  const ownFollowing = await wholeList(api, '/user/following', star.userId, { token: star.token });
  t.true(ownFollowing.every((profile) => profile.following === true));
  // A fan sees their own profile in the list with their email and `following: false`.
  const seenByFan = await wholeList(api, '/user/followers', star.userId, {
    token: fans[0]?.token ?? '',
  });
  const ownEntry = seenByFan.find((profile) => profile.user_id === fans[0]?.userId);
  t.like(ownEntry, { email: fans[0]?.email, following: false });

  const first = await api.get('/user/followers', { user_id: star.userId });
  t.is((first.body['data'] as ProfilePageData).next, null, 'the default page holds all 7');
});

test('lists of a missing user are USR_01; an empty list is an empty page', async (t) => {
  const { api } = t.context;
  for (const path of ['/user/followers', '/user/following']) {
    const missing = await api.get(path, { user_id: 987654321 });
    t.is(missing.status, 404);
    t.deepEqual(missing.body, { code: 'USR_01', message: 'Object not found.' });
    const noId = await api.get(path);
    t.like(noId.body, { code: 'PAR_01', field: 'user_id' });
    for (const limit of [0, 101]) {
      const bad = await api.get(path, { user_id: 1, limit });
      t.like(bad.body, { code: 'USR_02', field: 'limit' });
    }
  }
  const loner = await signUp(api);
  const empty = await api.get('/user/followers', { user_id: loner.userId });
  t.deepEqual(empty.body, { code: 'OK', data: { users: [], next: null } });
});

test('40 concurrent follows of one pair make one follow and +1 on each count', async (t) => {
  const { api } = t.context;
  const fan = await signUp(api);
  const star = await signUp(api);
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      api.post(
        '/user/follow',
        { user_id: star.userId },
        { token: fan.token, as: i % 2 === 0 ? 'json' : 'form' },
      ),
    ),
  );
  t.true(answers.every((answer) => answer.status === 200 && answer.body['code'] === 'OK'));
  t.deepEqual(await counts(api, star), { followers: 1, following: 0 });
  t.deepEqual(await counts(api, fan), { followers: 0, following: 1 });
  const followers = await wholeList(api, '/user/followers', star.userId);
  t.deepEqual(
    followers.map((profile) => profile.user_id),
    [fan.userId],
  );

  const undone = await Promise.all(
    Array.from({ length: 40 }, () =>
      api.post('/user/unfollow', { user_id: star.userId }, { token: fan.token }),
    ),
  );
  t.true(undone.every((answer) => answer.status === 200));
  t.deepEqual(await counts(api, star), { followers: 0, following: 0 });
  t.deepEqual(await counts(api, fan), { followers: 0, following: 0 });
});

test('after a storm of concurrent follows and unfollows, every count matches its list', async (t) => {
  const { api } = t.context;
  const people: SignedUpUser[] = [];
  for (let i = 0; i < 6; i += 1) people.push(await signUp(api));
  // Every ordered pair, each followed and unfollowed several times, all at once; mutual
  // follows (a→b beside b→a) are what could deadlock on PostgreSQL.
  const requests: Array<Promise<{ status: number }>> = [];
  for (let round = 0; round < 4; round += 1) {
    for (const from of people) {
      for (const to of people) {
        if (from === to) continue;
        const path =
          (round + from.userId + to.userId) % 3 === 0 ? '/user/unfollow' : '/user/follow';
        requests.push(api.post(path, { user_id: to.userId }, { token: from.token }));
      }
    }
  }
  const answers = await Promise.all(requests);
  t.true(answers.every((answer) => answer.status === 200));

  const followersOf = new Map<number, number[]>();
  for (const person of people) {
    const followers = await wholeList(api, '/user/followers', person.userId, { limit: 2 });
    const following = await wholeList(api, '/user/following', person.userId, { limit: 2 });
    t.deepEqual(await counts(api, person), {
      followers: followers.length,
      following: following.length,
    });
    followersOf.set(
      person.userId,
      followers.map((profile) => profile.user_id),
    );
    // No pair twice.
    t.is(new Set(followers.map((profile) => profile.user_id)).size, followers.length);
  }
  // Both lists tell the same follows.
  for (const person of people) {
    const following = await wholeList(api, '/user/following', person.userId);
    for (const followed of following) {
      t.true(followersOf.get(followed.user_id)?.includes(person.userId));
    }
  }
});
