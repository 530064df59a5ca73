import anyTest, { type TestFn } from 'ava';
import { createClient, PlazaApiError } from '@plaza/client-sdk';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { clientOf, signedUpClient } from './support/clients.js';
import { nextEvent } from './support/liveEvents.js';

/** account.export and account.delete through the SDK against a real server. */

const test = anyTest as TestFn<{ readonly target: InProcessTarget }>;

test.before(async (t) => {
  t.context = { target: await startInProcessTarget() };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

test('export, then delete: the client is signed out, live events stop, the name is free', async (t) => {
  const { baseUrl } = t.context.target;
  const { client, session, input } = await signedUpClient(t, baseUrl, { first_name: 'Ada' });
  const { post_id } = await client.posts.create({ title: 'Kept in the export', text: 'words' });
  await client.events.connect();

  const exported = await client.account.export();
  t.like(exported.account, {
    user_id: session.user_id,
    username: input.username,
    email: input.email,
    first_name: 'Ada',
  });
  t.deepEqual(
    exported.posts.map((post) => [post.post_id, post.title]),
    [[post_id, 'Kept in the export']],
  );

  const changes: (string | undefined)[] = [];
  client.auth.onChange((token) => changes.push(token));
  await client.account.delete(input.password);
  t.is(client.auth.currentToken(), undefined);
  t.deepEqual(changes, [undefined]);
  t.not(client.events.state, 'open');

  const stranger = clientOf(t, baseUrl);
  const gone = await t.throwsAsync(stranger.users.get(session.user_id), {
    instanceOf: PlazaApiError,
  });
  t.is(gone.code, 'USR_01');
  const login = await t.throwsAsync(stranger.auth.login(input.username, input.password), {
    instanceOf: PlazaApiError,
  });
  t.is(login.code, 'AUT_02');
  const again = await stranger.auth.signup({ ...input, password: `${input.password}-2` });
  t.not(again.user_id, session.user_id);
});

test('a wrong password is AUT_02 and the client stays signed in', async (t) => {
  const { client, input } = await signedUpClient(t, t.context.target.baseUrl);
  const token = client.auth.currentToken();
  const refused = await t.throwsAsync(client.account.delete(`${input.password}-wrong`), {
    instanceOf: PlazaApiError,
  });
  t.is(refused.code, 'AUT_02');
  t.is(refused.status, 401);
  t.is(client.auth.currentToken(), token);
  t.is((await client.users.me()).username, input.username);
});

test('a deletion from another device ends this device’s live events with AUT_01, without retrying', async (t) => {
  const { baseUrl } = t.context.target;
  const { client: phone, session, input } = await signedUpClient(t, baseUrl);
  const laptop = clientOf(t, baseUrl, { token: session.token });
  await laptop.events.connect();
  const ended = nextEvent(laptop.events, 'error');
  const dropped = nextEvent(laptop.events, 'disconnected');

  await phone.account.delete(input.password);

  const { error } = await ended;
  t.true(error instanceof PlazaApiError);
  t.is((error as PlazaApiError).code, 'AUT_01');
  t.is((await dropped).retryInMs, undefined, 'no reconnect is scheduled');
  t.is(laptop.events.state, 'idle');
  const refused = await t.throwsAsync(laptop.users.me(), { instanceOf: PlazaApiError });
  t.is(refused.code, 'AUT_01');
});

test('export needs a signed-in client (AUT_01)', async (t) => {
  const client = createClient(t.context.target.baseUrl);
  const refused = await t.throwsAsync(client.account.export(), { instanceOf: PlazaApiError });
  t.is(refused.code, 'AUT_01');
});
