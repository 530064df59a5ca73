import test from 'ava';
import { freshDatabaseUrl } from '@plaza/testkit';
import { startEmbeddedApp } from '@plaza/example-embed';
import { PlazaApiError } from '@plaza/client-sdk';
import { clientOf, signedUpClient } from './support/clients.js';
import { nextEvent, withoutId } from './support/liveEvents.js';

/** Plaza served under a path (`/social`), as an app that embeds it does: the SDK keeps it. */

test('the embed example: every call goes under /social, with or without the trailing slash', async (t) => {
  const app = await startEmbeddedApp(0, freshDatabaseUrl());
  t.teardown(() => app.close());
  const { client, session, input } = await signedUpClient(t, `${app.url}/social`);
  t.is((await client.users.me()).username, input.username);
  const { post_id } = await client.posts.create({ title: 'Embedded', text: '.' });
  t.is((await client.posts.get(post_id)).author_id, session.user_id);

  const slashed = clientOf(t, `${app.url}/social/`);
  t.is((await slashed.auth.login(input.username, input.password)).user_id, session.user_id);
  await slashed.likes.like(post_id);
  t.deepEqual(await slashed.posts.likers(post_id), [session.user_id]);
  const page = await slashed.posts.list({ author_id: session.user_id });
  t.deepEqual(
    page.posts.map((post) => post.post_id),
    [post_id],
  );
  const missing = await t.throwsAsync(slashed.posts.get(424_242), { instanceOf: PlazaApiError });
  t.is(missing.code, 'USR_01');
  t.is(missing.status, 404);
});

test('without the prefix the host app answers, which is no Plaza answer', async (t) => {
  const app = await startEmbeddedApp(0, freshDatabaseUrl());
  t.teardown(() => app.close());
  const error = await t.throwsAsync(clientOf(t, app.url).posts.get(1), {
    instanceOf: PlazaApiError,
  });
  t.is(error.code, 'UNEXPECTED_RESPONSE');
  t.is(error.status, 200);
});

test('live events go under the prefix too', async (t) => {
  const app = await startEmbeddedApp(0, freshDatabaseUrl());
  t.teardown(() => app.close());
  const author = await signedUpClient(t, `${app.url}/social`);
  const liker = await signedUpClient(t, `${app.url}/social/`);
  const { post_id } = await author.client.posts.create({ title: 'Mounted', text: '.' });
  await author.client.events.connect();
  const liked = nextEvent(author.client.events, 'post.liked');
  await liker.client.likes.like(post_id);
  t.deepEqual(withoutId(await liked), { post_id, by_user_id: liker.session.user_id, likes: 1 });
});
