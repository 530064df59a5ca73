import anyTest, { type TestFn } from 'ava';
import { signUp } from '../support/builders.js';
import {
  useWatchTarget,
  openWatchAs,
  type WatchContext,
  withoutId,
} from '../support/watchSocket.js';

/** `user.followed` over `/user-watch?format=json`: to the followed user, once per new follow. */

const test = anyTest as TestFn<WatchContext>;
useWatchTarget(test);

test('a follow reaches the followed user only, with their new followers count', async (t) => {
  const { api } = t.context;
  const star = await signUp(api);
  const fan = await signUp(api);
  const other = await signUp(api);
  const bystander = await signUp(api);
  const stars = await openWatchAs(t, star, 'json');
  const fans = await openWatchAs(t, fan, 'json');
  const bystanders = await openWatchAs(t, bystander, 'json');
  const starsText = await openWatchAs(t, star, 'text');

  t.is(
    (await api.post('/user/follow', { user_id: star.userId }, { token: fan.token })).status,
    200,
  );
  t.deepEqual(withoutId(await stars.nextJson()), {
    type: 'user.followed',
    by_user_id: fan.userId,
    followers_count: 1,
  });
  t.is(
    (await api.post('/user/follow', { user_id: star.userId }, { token: other.token })).status,
    200,
  );
  t.deepEqual(withoutId(await stars.nextJson()), {
    type: 'user.followed',
    by_user_id: other.userId,
    followers_count: 2,
  });

  // Following again, or unfollowing, announces nothing.
  await api.post('/user/follow', { user_id: star.userId }, { token: fan.token });
  await api.post('/user/unfollow', { user_id: star.userId }, { token: fan.token });
  await t.notThrowsAsync(stars.expectNoMessage(), 'no event for a repeat or an unfollow');
  // A new follow after the unfollow is announced again, with the count after it.
  await api.post('/user/follow', { user_id: star.userId }, { token: fan.token });
  t.deepEqual(withoutId(await stars.nextJson()), {
    type: 'user.followed',
    by_user_id: fan.userId,
    followers_count: 2,
  });

  await t.notThrowsAsync(fans.expectNoMessage(0), 'the follower hears nothing');
  await t.notThrowsAsync(bystanders.expectNoMessage(0), 'nor does anyone else');
  await t.notThrowsAsync(starsText.expectNoMessage(0), 'nor the text protocol');
});

test('concurrent follows of one pair announce one follow', async (t) => {
  const { api } = t.context;
  const star = await signUp(api);
  const fan = await signUp(api);
  const stars = await openWatchAs(t, star, 'json');
  await Promise.all(
    Array.from({ length: 20 }, () =>
      api.post('/user/follow', { user_id: star.userId }, { token: fan.token }),
    ),
  );
  t.deepEqual(withoutId(await stars.nextJson()), {
    type: 'user.followed',
    by_user_id: fan.userId,
    followers_count: 1,
  });
  await t.notThrowsAsync(stars.expectNoMessage());
});
