/**
 * Type-level tests of @plaza/client-sdk's public API. `tsc -b` compiles this file, and fails
 * on an `@ts-expect-error` that no longer has an error to expect; nothing here runs, which is
 * why its name keeps it out of ava's `*.test.js`.
 */
import { WebSocket } from 'ws';
import {
  createClient,
  isPlazaApiError,
  isPlazaNetworkError,
  PlazaApiError,
  type ClientOptions,
  type ConnectionState,
  type LiveEventMap,
  type PlazaClient,
  type PlazaErrorCode,
  type Post,
  type PostPage,
  type Profile,
  type Session,
  type SignUpInput,
  type SignedInSessions,
  type StoredTokens,
  type Unsubscribe,
} from '@plaza/client-sdk';

/* eslint-disable @typescript-eslint/no-unnecessary-type-parameters -- assertions on types only */
type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when its type argument is `true`. */
const holds = <_Proof extends true>(): void => undefined;
/** Compiles only when `value` fits `T`. */
const accepts = <T>(_value: T): void => undefined;
/* eslint-enable @typescript-eslint/no-unnecessary-type-parameters */

type Result<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

export async function clientTypes(client: PlazaClient): Promise<void> {
  // The ws class fits the WebSocket option, and the global fetch the fetch option.
  holds<Equals<ReturnType<typeof createClient>, PlazaClient>>();
  accepts<PlazaClient>(createClient('http://127.0.0.1:8000', { WebSocket, fetch }));
  createClient(new URL('http://127.0.0.1:8000/social/'), {
    token: 'eyJ…',
    timeoutMs: 5_000,
    overloadRetries: 0,
    reconnect: { baseDelayMs: 100 },
  });
  // @ts-expect-error the base URL is required
  createClient();
  // @ts-expect-error the base URL is a string or a URL
  createClient(8000);
  // @ts-expect-error options are checked
  createClient('http://127.0.0.1:8000', { retries: 3 });
  // @ts-expect-error the WebSocket option is a WebSocket class, not any class
  createClient('http://127.0.0.1:8000', { WebSocket: URL });
  // @ts-expect-error the fetch option has fetch's shape
  createClient('http://127.0.0.1:8000', { fetch: (url: number) => url });
  const options: ClientOptions = { token: 't' };
  // @ts-expect-error options are read-only
  options.token = 'other';

  // auth
  holds<Equals<Result<typeof client.auth.signup>, Session>>();
  holds<Equals<Session['user_id'], number>>();
  accepts<Session>(await client.auth.signup({ username: 'ada', password: 'pw', email: 'a@b.c' }));
  // @ts-expect-error sign-up needs an email
  await client.auth.signup({ username: 'ada', password: 'pw' });
  // @ts-expect-error sign-up needs a password
  await client.auth.signup({ username: 'ada', email: 'a@b.c' });
  // @ts-expect-error sign-up needs a username
  await client.auth.signup({ password: 'pw', email: 'a@b.c' });
  // @ts-expect-error an object literal has no room for unknown fields
  await client.auth.signup({ username: 'ada', password: 'pw', email: 'a@b.c', nick: 'ad' });
  // @ts-expect-error lat is a number
  await client.auth.signup({ username: 'ada', password: 'pw', email: 'a@b.c', lat: '51.5' });
  const input: SignUpInput = { username: 'ada', password: 'pw', email: 'a@b.c', city: 'London' };
  // @ts-expect-error inputs are read-only
  input.city = 'Paris';
  holds<Equals<Result<typeof client.auth.login>, Session>>();
  // @ts-expect-error login takes a username and a password
  await client.auth.login('ada');
  holds<Equals<Result<typeof client.auth.verify>, { readonly user_id: number }>>();
  holds<Equals<ReturnType<typeof client.auth.currentToken>, string | undefined>>();
  // Once `void`: now a promise that never rejects, so callers that ignore it lose nothing.
  holds<Equals<ReturnType<typeof client.auth.logout>, Promise<void>>>();
  holds<Equals<Result<typeof client.auth.refresh>, Session>>();
  holds<Equals<Result<typeof client.auth.sessions>, SignedInSessions>>();
  holds<Equals<ReturnType<typeof client.auth.currentTokens>, StoredTokens | undefined>>();
  const stopHearing: Unsubscribe = client.auth.onSignedOut((_event) => {
    holds<Equals<typeof _event.error, PlazaApiError>>();
  });
  stopHearing();
  client.auth.setTokens({ token: 't', refresh_token: 'r' });
  // @ts-expect-error the access token is required
  client.auth.setTokens({ refresh_token: 'r' });
  holds<Equals<Result<typeof client.auth.changePassword>, Session>>();
  // @ts-expect-error changePassword takes the old and the new password
  await client.auth.changePassword('old-password');
  holds<Equals<Result<typeof client.auth.logoutAll>, void>>();
  const stopWatching: Unsubscribe = client.auth.onChange((_token) => {
    holds<Equals<typeof _token, string | undefined>>();
  });
  stopWatching();

  // users
  holds<Equals<Result<typeof client.users.get>, Profile>>();
  holds<Equals<Result<typeof client.users.me>, Profile>>();
  holds<Equals<Profile['city'], string | null>>();
  holds<Equals<Profile['email'], string | undefined>>();
  // @ts-expect-error user ids are numbers
  await client.users.get('1');
  holds<Equals<Result<typeof client.users.requestEnrichment>, void>>();

  // posts
  const n: number = (await client.posts.create({ title: 't', text: 'x' })).post_id;
  // @ts-expect-error a post needs a text
  await client.posts.create({ title: 't' });
  // @ts-expect-error post ids are numbers
  await client.posts.get('1');
  const post = await client.posts.get(n);
  holds<Equals<Result<typeof client.posts.get>, Post>>();
  holds<Equals<Post['link'], string | null>>();
  // @ts-expect-error Post fields are readonly
  post.likes = 2;
  const page = await client.posts.list({ author_id: n, limit: 10 });
  holds<Equals<Result<typeof client.posts.list>, PostPage>>();
  holds<Equals<PostPage['next'], number | null>>();
  // @ts-expect-error a page is read-only
  page.posts[0] = post;
  // @ts-expect-error the cursor is a number
  await client.posts.list({ before: 'abc' });
  for await (const _each of client.posts.iterate({ author_id: n })) {
    holds<Equals<typeof _each, Post>>();
  }
  holds<Equals<Result<typeof client.posts.likers>, readonly number[]>>();

  // likes
  holds<Equals<Result<typeof client.likes.like>, void>>();
  // @ts-expect-error post ids are numbers
  await client.likes.unlike('1');

  // events
  const off: Unsubscribe = client.events.on('post.liked', (_event) => {
    holds<Equals<typeof _event.post_id, number>>();
    holds<Equals<typeof _event.by_user_id, number>>();
    holds<Equals<typeof _event.likes, number>>();
    // @ts-expect-error a like carries no profile
    holds<Equals<typeof _event.profile, Profile>>();
  });
  off();
  client.events.on('enrichment.completed', (_event) => {
    holds<Equals<typeof _event.profile, Profile>>();
  });
  client.events.on('enrichment.failed', (_event) => {
    holds<Equals<typeof _event.reason, string>>();
  });
  client.events.on('disconnected', (_event) => {
    holds<Equals<typeof _event.retryInMs, number | undefined>>();
  });
  client.events.on('ready', (_event) => {
    holds<Equals<typeof _event, { readonly user_id: number }>>();
  });
  // @ts-expect-error there is no such event
  client.events.on('no.such.event', () => undefined);
  // @ts-expect-error the listener must take the event of its type
  client.events.on('post.liked', (event: LiveEventMap['enrichment.failed']) => event.reason);
  holds<Equals<ReturnType<typeof client.events.connect>, Promise<void>>>();
  holds<Equals<typeof client.events.state, ConnectionState>>();
  // @ts-expect-error the state is read-only
  client.events.state = 'open';
}

export function errorTypes(error: unknown): void {
  if (isPlazaApiError(error)) {
    accepts<PlazaApiError>(error);
    holds<Equals<typeof error.code, PlazaErrorCode>>();
    holds<Equals<typeof error.status, number>>();
    holds<Equals<typeof error.field, string | undefined>>();
    // @ts-expect-error the code is one of Plaza's, so a typo does not compile
    if (error.code === 'USR_99') return;
    // @ts-expect-error errors are read-only
    error.code = 'USR_01';
  }
  if (isPlazaNetworkError(error)) {
    holds<Equals<typeof error.timedOut, boolean>>();
  }
  // @ts-expect-error PlazaErrorCode is not any string
  holds<Equals<PlazaErrorCode, string>>();
  // @ts-expect-error nor is any string a code
  accepts<PlazaErrorCode>('NOPE');
  accepts<PlazaErrorCode>('UNEXPECTED_RESPONSE');
}
