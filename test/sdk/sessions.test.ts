import anyTest, { type TestFn } from 'ava';
import {
  PlazaApiError,
  type FetchFunction,
  type SignedOutEvent,
  type StoredTokens,
} from '@plaza/client-sdk';
import { sleep, waitUntil } from '@plaza/testkit';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { Api } from '../support/http.js';
import { clientOf, signedUpClient } from './support/clients.js';
import { nextEvent } from './support/liveEvents.js';

/**
 * Staying signed in: the SDK refreshes its access token on its own (ahead of its expiry, and
 * once after an AUT_01), shares one refresh between concurrent calls, signs out with an event
 * when its session is over, and logs out on the server. The server's tokens live 2 s here.
 */

const TTL_SECONDS = 2;

const test = anyTest as TestFn<{
  readonly target: InProcessTarget;
  /** Tokens living the default hour: no refresh ahead of expiry can happen during a test. */
  readonly longLived: InProcessTarget;
}>;

test.before(async (t) => {
  t.context = {
    target: await startInProcessTarget({ jwtTtlSeconds: TTL_SECONDS }),
    longLived: await startInProcessTarget(),
  };
});

test.after.always(async (t) => {
  await t.context.target.close();
  await t.context.longLived.close();
});

/** A fetch that counts the refreshes it sends. */
function countingFetch(): { readonly fetch: FetchFunction; readonly refreshes: () => number } {
  let refreshes = 0;
  return {
    fetch: (input, init) => {
      if (new URL(input).pathname === '/api-token-refresh/') refreshes += 1;
      return fetch(input, init);
    },
    refreshes: () => refreshes,
  };
}

const refusedByServer = async (baseUrl: string, token: string): Promise<boolean> =>
  (await new Api(baseUrl).get('/user/data', {}, { token })).status === 401;

test('an app stays signed in across several token lifetimes, with or without calls', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signedUpClient(t, baseUrl);
  const changes: Array<StoredTokens | undefined> = [];
  ada.client.auth.onChange((_token, tokens) => changes.push(tokens));
  const first = ada.client.auth.currentTokens();
  t.is(first?.refresh_token, ada.session.refresh_token);

  // Idle past the first token's expiry: the client refreshes ahead of each expiry on its own.
  await waitUntil('two refreshes without a call', () => changes.length >= 2);
  await waitUntil('the first token expired', () => refusedByServer(baseUrl, ada.session.token));
  t.true(
    changes.every((tokens) => tokens !== undefined),
    'never signed out',
  );
  t.is((await ada.client.users.me()).user_id, ada.session.user_id);

  // Busy across more lifetimes: every call goes through.
  const until = Date.now() + TTL_SECONDS * 1000 * 2;
  while (Date.now() < until) {
    t.is((await ada.client.users.me()).user_id, ada.session.user_id);
    await sleep(150);
  }
  const { sessions } = await ada.client.auth.sessions();
  t.is(sessions.length, 1, 'one session all along');
  t.true(sessions[0]?.current);
  const latest = changes.at(-1);
  t.is(latest?.token, ada.client.auth.currentToken(), 'onChange gave the tokens to persist');
  t.not(latest?.refresh_token, ada.session.refresh_token);
});

test('tokens persisted through onChange sign a new client in, past their expiry', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signedUpClient(t, baseUrl, {}, { autoRefresh: false });
  let persisted: StoredTokens | undefined;
  ada.client.auth.onChange((_token, tokens) => (persisted = tokens));
  await ada.client.auth.refresh();
  if (persisted === undefined) throw new Error('nothing persisted');
  const saved: StoredTokens = persisted;
  ada.client.events.close();

  await sleep(TTL_SECONDS * 1000 + 500);
  t.true(await refusedByServer(baseUrl, saved.token), 'the saved access token has expired');
  const restarted = clientOf(t, baseUrl, {
    token: saved.token,
    ...(saved.refresh_token === undefined ? {} : { refreshToken: saved.refresh_token }),
  });
  t.is((await restarted.users.me()).user_id, ada.session.user_id);
  t.not(restarted.auth.currentToken(), saved.token);
});

test('an AUT_01 answer makes one refresh, shared by concurrent calls, which are then sent again', async (t) => {
  // With 2 s tokens a slow machine would also refresh ahead of the new token's expiry.
  const { baseUrl } = t.context.longLived;
  const ada = await signedUpClient(t, baseUrl, {}, { autoRefresh: false });
  const counting = countingFetch();
  // An access token the server refuses, and a good refresh token: every call gets AUT_01 first.
  const restored = clientOf(t, baseUrl, {
    fetch: counting.fetch,
    token: 'not.a.token',
    refreshToken: ada.session.refresh_token,
  });
  const answers = await Promise.all(Array.from({ length: 10 }, () => restored.users.me()));
  for (const me of answers) t.is(me.user_id, ada.session.user_id);
  t.is(counting.refreshes(), 1, 'one refresh for ten calls');
  // Two refreshes with one token would have ended the session: it is alive.
  const { sessions } = await restored.auth.sessions();
  t.deepEqual(
    sessions.map((session) => session.current),
    [true],
  );
});

test('a revoked session signs the client out with an event; the call gets AUT_01', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signedUpClient(t, baseUrl);
  const other = clientOf(t, baseUrl);
  await other.auth.login(ada.input.username, ada.input.password);
  const signedOut: SignedOutEvent[] = [];
  ada.client.auth.onSignedOut((event) => signedOut.push(event));
  const changes: Array<string | undefined> = [];
  ada.client.auth.onChange((token) => changes.push(token));

  await other.auth.logoutAll();

  const error = await t.throwsAsync(ada.client.users.me(), { instanceOf: PlazaApiError });
  t.is(error.code, 'AUT_01');
  t.is(signedOut.length, 1);
  t.is(signedOut[0]?.error.code, 'AUT_01');
  t.is(ada.client.auth.currentToken(), undefined);
  // Tokens live 2 s here: on a busy machine the client may refresh ahead of expiry before the
  // logout; whatever it held, the one sign-out is the last change.
  t.is(changes.at(-1), undefined);
  t.is(changes.filter((token) => token === undefined).length, 1);
});

test('a stolen refresh token used first by the thief: the owner’s next refresh ends the session for both', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signedUpClient(t, baseUrl, {}, { autoRefresh: false });
  const signedOut = new Promise<SignedOutEvent>((resolve) => {
    ada.client.auth.onSignedOut(resolve);
  });
  const thief = clientOf(t, baseUrl, {
    token: ada.session.token,
    refreshToken: ada.session.refresh_token,
    autoRefresh: false,
  });
  await thief.auth.refresh();

  await t.throwsAsync(ada.client.auth.refresh(), { instanceOf: PlazaApiError });
  t.is((await signedOut).error.code, 'AUT_01');
  const thiefToken = thief.auth.currentToken();
  if (thiefToken === undefined) throw new Error('the thief has a token');
  t.true(await refusedByServer(baseUrl, thiefToken), 'the thief’s token is refused too');
});

test('logout ends the session on the server, closes live events and forgets the tokens', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signedUpClient(t, baseUrl);
  await ada.client.events.connect();
  const held = ada.client.auth.currentTokens();
  if (held?.refresh_token === undefined) throw new Error('signed in');
  const heardSignedOut: SignedOutEvent[] = [];
  ada.client.auth.onSignedOut((event) => heardSignedOut.push(event));

  const done = ada.client.auth.logout();
  t.is(ada.client.auth.currentToken(), undefined, 'forgotten at once, as before');
  await done;

  t.true(await refusedByServer(baseUrl, held.token));
  const refresh = await new Api(baseUrl).post('/api-token-refresh/', {
    refresh_token: held.refresh_token,
  });
  t.is(refresh.status, 401);
  t.not(ada.client.events.state, 'open');
  t.deepEqual(heardSignedOut, [], 'an asked-for logout is not a signed-out event');
});

test('logout never rejects: not signed in, or with the server gone', async (t) => {
  const client = clientOf(t, t.context.target.baseUrl);
  await t.notThrowsAsync(client.auth.logout());
  const unreachable = clientOf(t, 'http://127.0.0.1:9', {
    token: 'a.b.c',
    refreshToken: 'r',
    timeoutMs: 2000,
  });
  await t.notThrowsAsync(unreachable.auth.logout());
  t.is(unreachable.auth.currentToken(), undefined);
});

test('live events keep going across refreshes, re-authenticated with each new token', async (t) => {
  const { baseUrl } = t.context.target;
  const ada = await signedUpClient(t, baseUrl);
  const bob = await signedUpClient(t, baseUrl);
  const { post_id } = await ada.client.posts.create({ title: 'Live', text: 'still?' });
  await ada.client.events.connect();
  const firstToken = ada.client.auth.currentToken();

  await waitUntil('two refreshes', async () => {
    await sleep(100);
    return ada.client.auth.currentToken() !== firstToken;
  });
  await sleep(TTL_SECONDS * 1000);
  t.true(await refusedByServer(baseUrl, firstToken ?? ''));

  const liked = nextEvent(ada.client.events, 'post.liked');
  await bob.client.likes.like(post_id);
  t.like(await liked, { post_id, likes: 1 });
  t.is(ada.client.events.state, 'open');
});

test('with autoRefresh off the client does not refresh on its own', async (t) => {
  const { baseUrl } = t.context.target;
  const counting = countingFetch();
  const ada = await signedUpClient(t, baseUrl, {}, { autoRefresh: false, fetch: counting.fetch });
  await sleep(TTL_SECONDS * 1000 + 500);
  const error = await t.throwsAsync(ada.client.users.me(), { instanceOf: PlazaApiError });
  t.is(error.code, 'AUT_01');
  t.is(counting.refreshes(), 0);
  t.is(ada.client.auth.currentToken(), ada.session.token, 'still held: the app decides');
  await ada.client.auth.refresh();
  t.is((await ada.client.users.me()).user_id, ada.session.user_id);
});
