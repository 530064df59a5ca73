import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { PlazaApiError } from '@plaza/client-sdk';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { clientOf, signedUpClient, type SignedUpClient } from './support/clients.js';

/** client.analytics against a real server: likes per day, filtered, and its refusals. */

interface Context {
  readonly target: InProcessTarget;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  t.context = { target: await startInProcessTarget() };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

const user = (t: ExecutionContext<Context>): Promise<SignedUpClient> =>
  signedUpClient(t, t.context.target.baseUrl);

const DAY_MS = 86_400_000;
const dayOffset = (days: number): string =>
  new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

test('analytics.likes: every day of the range, with the likes of a post or an author', async (t) => {
  const author = await user(t);
  const fan = await user(t);
  const other = await user(t);
  const { post_id: postId } = await author.client.posts.create({ title: 'A post', text: 'liked' });
  await fan.client.likes.like(postId);
  await other.client.likes.like(postId);
  await other.client.likes.unlike(postId);

  const range = { date_from: dayOffset(-1), date_to: dayOffset(1) };
  const byPost = await fan.client.analytics.likes({ ...range, post_id: postId });
  t.deepEqual(
    byPost.days.map((day) => day.date),
    [dayOffset(-1), dayOffset(0), dayOffset(1)],
  );
  t.is(
    byPost.days.reduce((sum, day) => sum + day.likes, 0),
    1,
  );
  const byAuthor = await fan.client.analytics.likes({
    ...range,
    author_id: author.session.user_id,
  });
  t.deepEqual(byAuthor, byPost);
  const everything = await fan.client.analytics.likes(range);
  t.is(everything.days.length, 3);
});

test('analytics.likes refuses a reversed range (USR_02 on date_from) and an anonymous client (AUT_01)', async (t) => {
  const reader = await user(t);
  const reversed = await t.throwsAsync(
    reader.client.analytics.likes({ date_from: '2026-01-02', date_to: '2026-01-01' }),
    { instanceOf: PlazaApiError },
  );
  t.is(reversed.code, 'USR_02');
  t.is(reversed.field, 'date_from');
  const both = await t.throwsAsync(
    reader.client.analytics.likes({
      date_from: '2026-01-01',
      date_to: '2026-01-02',
      post_id: 1,
      author_id: 1,
    }),
    { instanceOf: PlazaApiError },
  );
  t.is(both.field, 'author_id');
  const anonymous = clientOf(t, t.context.target.baseUrl);
  const refused = await t.throwsAsync(
    anonymous.analytics.likes({ date_from: '2026-01-01', date_to: '2026-01-02' }),
    { instanceOf: PlazaApiError },
  );
  t.is(refused.code, 'AUT_01');
});
