import anyTest, { type TestFn } from 'ava';
import { signUp, type SignedUpUser } from '../support/builders.js';
import { Api } from '../support/http.js';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import {
  openAuthenticated,
  openAuthenticatedJson,
  type WatchClient,
  withoutId,
} from '../support/watchSocket.js';

/** `user.followed` over `/user-watch?format=json`: to the followed user, once per new follow. */

interface Context {
  readonly target: InProcessTarget;
  readonly api: Api;
  readonly clients: WatchClient[];
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  const target = await startInProcessTarget();
  t.context = { target, api: new Api(target.baseUrl), clients: [] };
});

test.after.always(async (t) => {
  for (const client of t.context.clients) client.socket.terminate();
  await t.context.target.close();
});

const openAs = async (t: { context: Context }, user: SignedUpUser): Promise<WatchClient> => {
  const client = await openAuthenticatedJson(t.context.target.baseUrl, user.token, user.userId);
  t.context.clients.push(client);
  return client;
};

test('a follow reaches the followed user only, with their new followers count', async (t) => {
  const { api } = t.context;
  const star = await signUp(api);
  const fan = await signUp(api);
  const other = await signUp(api);
  const bystander = await signUp(api);
  const stars = await openAs(t, star);
  const fans = await openAs(t, fan);
  const bystanders = await openAs(t, bystander);
  const starsText = await openAuthenticated(t.context.target.baseUrl, star.token, star.userId);
  t.context.clients.push(starsText);

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
  const stars = await openAs(t, star);
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
