import anyTest, { type TestFn } from 'ava';
import { PlazaApiError, type Profile } from '@plaza/client-sdk';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { clientOf, signedUpClient } from './support/clients.js';
import { nextEvent, withoutId } from './support/liveEvents.js';

/** Profiles by name, profile changes and follows through the SDK against a real server. */

const test = anyTest as TestFn<{ readonly target: InProcessTarget }>;

test.before(async (t) => {
  t.context = { target: await startInProcessTarget() };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

const collect = async (profiles: AsyncIterable<Profile>): Promise<Profile[]> => {
  const all: Profile[] = [];
  for await (const profile of profiles) all.push(profile);
  return all;
};

test('follow, unfollow and the counts and `following` they show', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signedUpClient(t, baseUrl);
  const bob = await signedUpClient(t, baseUrl);
  await ada.client.users.follow(bob.session.user_id);
  await ada.client.users.follow(bob.session.user_id);

  t.like(await ada.client.users.get(bob.session.user_id), {
    followers_count: 1,
    following_count: 0,
    following: true,
  });
  t.like(await ada.client.users.me(), { following_count: 1, following: false });
  const anonymous = clientOf(t, baseUrl);
  const seen = await anonymous.users.get(bob.session.user_id);
  t.is(seen.followers_count, 1);
  t.false('following' in seen);

  await ada.client.users.unfollow(bob.session.user_id);
  await ada.client.users.unfollow(bob.session.user_id);
  t.like(await ada.client.users.get(bob.session.user_id), {
    followers_count: 0,
    following: false,
  });

  const self = await t.throwsAsync(ada.client.users.follow(ada.session.user_id), {
    instanceOf: PlazaApiError,
  });
  t.like(self, { code: 'USR_02', field: 'user_id', status: 400 });
  const missing = await t.throwsAsync(ada.client.users.follow(987_654), {
    instanceOf: PlazaApiError,
  });
  t.like(missing, { code: 'USR_01', status: 404 });
});

test('followers and following page by page, and iterate over every one', async (t) => {
  const { baseUrl } = t.context.target;
  const star = await signedUpClient(t, baseUrl);
  const fans = [];
  for (let i = 0; i < 5; i += 1) fans.push(await signedUpClient(t, baseUrl));
  for (const fan of fans) await fan.client.users.follow(star.session.user_id);
  const newestFirst = fans.map((fan) => fan.session.user_id).reverse();

  const first = await star.client.users.followers(star.session.user_id, { limit: 2 });
  t.deepEqual(
    first.users.map((profile) => profile.user_id),
    newestFirst.slice(0, 2),
  );
  t.not(first.next, null);
  const second = await star.client.users.followers(star.session.user_id, {
    limit: 2,
    before: first.next ?? 0,
  });
  t.deepEqual(
    second.users.map((profile) => profile.user_id),
    newestFirst.slice(2, 4),
  );
  const all = await collect(star.client.users.iterateFollowers(star.session.user_id, { limit: 2 }));
  t.deepEqual(
    all.map((profile) => profile.user_id),
    newestFirst,
  );
  t.true(all.every((profile) => profile.following === false));

  const firstFan = fans[0];
  if (firstFan === undefined) throw new Error('no fan');
  const following = await collect(firstFan.client.users.iterateFollowing(firstFan.session.user_id));
  t.deepEqual(
    following.map((profile) => profile.user_id),
    [star.session.user_id],
  );
  t.like(following[0], { followers_count: 5, following: true });
  const page = await firstFan.client.users.following(firstFan.session.user_id);
  t.is(page.next, null);

  const missing = await t.throwsAsync(star.client.users.followers(987_654), {
    instanceOf: PlazaApiError,
  });
  t.is(missing.code, 'USR_01');
});

test('byUsername finds a user in any case; an unknown name is USR_01', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signedUpClient(t, baseUrl, { first_name: 'Ada' });
  const stranger = clientOf(t, baseUrl);
  const found = await stranger.users.byUsername(ada.input.username.toUpperCase());
  t.like(found, { user_id: ada.session.user_id, username: ada.input.username, first_name: 'Ada' });
  t.false('email' in found);
  t.is((await ada.client.users.byUsername(ada.input.username)).email, ada.input.email);
  const unknown = await t.throwsAsync(stranger.users.byUsername(`${ada.input.username}_nobody`), {
    instanceOf: PlazaApiError,
  });
  t.is(unknown.code, 'USR_01');
});

test('update changes the given fields, clears those given null, and answers the profile', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signedUpClient(t, baseUrl, {
    first_name: 'Ada',
    bio: 'Engines',
    city: 'London',
  });
  const updated = await ada.client.users.update({ city: 'Paris', bio: null, lat: 48.85 });
  t.like(updated, {
    user_id: ada.session.user_id,
    email: ada.input.email,
    first_name: 'Ada',
    city: 'Paris',
    bio: null,
    lat: 48.85,
    following: false,
  });
  t.deepEqual(await ada.client.users.me(), updated);

  const bad = await t.throwsAsync(ada.client.users.update({ site: 'javascript:alert(1)' }), {
    instanceOf: PlazaApiError,
  });
  t.like(bad, { code: 'USR_02', field: 'site' });
  const nothing = await t.throwsAsync(ada.client.users.update({}), { instanceOf: PlazaApiError });
  t.is(nothing.code, 'USR_02');
  t.deepEqual(await ada.client.users.me(), updated, 'a refused update changes nothing');
});

test('user.followed reaches the followed user through events.on', async (t) => {
  const { baseUrl } = t.context.target;
  const star = await signedUpClient(t, baseUrl);
  const fan = await signedUpClient(t, baseUrl);
  await star.client.events.connect();
  const followed = nextEvent(star.client.events, 'user.followed');
  await fan.client.users.follow(star.session.user_id);
  t.deepEqual(withoutId(await followed), { by_user_id: fan.session.user_id, followers_count: 1 });
});
