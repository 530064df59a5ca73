import anyTest, { type TestFn } from 'ava';
import { nextEvent } from '@plaza/testkit';
import { startApiTarget, type ApiTarget } from '../support/apiTarget.js';
import { signUp, uniqueUsername, type SignedUpUser } from '../support/builders.js';
import { eventually } from '../support/eventually.js';
import { Api } from '../support/http.js';
import { againstRealServer } from '../support/suite.js';
import {
  openAuthenticated,
  openAuthenticatedJson,
  openWatchSocket,
  type WatchClient,
} from '../support/watchSocket.js';
import {
  FAKE_CLEARBIT_API_KEY,
  startFakeClearbit,
  type FakeClearbit,
} from '../fakes/fakeClearbit.js';

/*
 * The original service's WebSocket flow, end to end over loopback. In-process the profiles
 * come from a local Clearbit fake; against REAL_SERVER (run with PLAZA_PROVIDERS=fake) from
 * the built-in offline enricher. Both find `ada.…@` and find nobody for `nobody…@`.
 */

interface Context {
  readonly clearbit: FakeClearbit | undefined;
  readonly target: ApiTarget;
  readonly api: Api;
}

const test = anyTest as TestFn<Context>;

const RECEIVED = 'notice: socialuser data received';
const NOT_RECEIVED = 'error: cannot receive socialuser data';

test.before(async (t) => {
  const clearbit = againstRealServer ? undefined : await startFakeClearbit();
  const target = await startApiTarget(
    clearbit === undefined
      ? {}
      : {
          enrichment: {
            clearbit: { apiKey: FAKE_CLEARBIT_API_KEY, baseUrl: clearbit.url },
            pollIntervalMs: 20,
          },
        },
  );
  t.context = { clearbit, target, api: new Api(target.baseUrl) };
});

test.after.always(async (t) => {
  await t.context.target.close();
  await t.context.clearbit?.close();
});

const foundEmail = (): string => `ada.${uniqueUsername('lovelace')}@example.com`;

const profileOf = async (api: Api, user: SignedUpUser): Promise<Record<string, unknown>> =>
  (await api.get('/user/data', {}, { token: user.token })).body['data'] as Record<string, unknown>;

/** A user whose sign-up enrichment has been announced, so no notice of it is still on its way. */
async function settledUser({ api, target }: Context): Promise<SignedUpUser> {
  const email = foundEmail();
  // In-process, the announcement itself; the sockets opened after it cannot get it.
  const announced =
    target.plaza === undefined
      ? undefined
      : nextEvent(target.plaza, 'enrichment.completed', (event) => event.profile.email === email);
  const user = await signUp(api, { email });
  if (announced !== undefined) {
    await announced;
    return user;
  }
  // A real server is seen from outside only: the notice follows the saved profile at once.
  await eventually('the sign-up enrichment', async () =>
    (await profileOf(api, user))['city'] === null ? undefined : true,
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  return user;
}

/**
 * The frames a socket gets for one request. A sign-up's own job may still be running when
 * the socket opens, and then its notice comes too: one or two frames, all `expected`.
 */
async function noticesAfterRequest(
  t: { context: Context },
  watch: WatchClient,
  user: SignedUpUser,
): Promise<string[]> {
  const answer = await t.context.api.post('/user/request-retrieve-data', {}, { token: user.token });
  if (answer.status !== 202) throw new Error(`request answered ${answer.status} ${answer.text}`);
  const frames = [await watch.next()];
  await new Promise((resolve) => setTimeout(resolve, 500));
  while (watch.pending > 0) frames.push(await watch.next());
  return frames;
}

test('the original flow: sign up, log in, watch, request, get the notice, read the profile', async (t) => {
  const { api } = t.context;
  const email = foundEmail();
  const user = await signUp(api, { email, city: 'Paris' });
  const login = await api.post('/api-token-auth/', {
    username: user.username,
    password: user.password,
  });
  t.is(login.status, 200);
  const token = login.body['token'] as string;

  const watch = await openWatchSocket(t.context.target.baseUrl);
  watch.send(`/auth ${token}`);
  t.is(await watch.next(), `ok: user_id=${user.userId}`);

  const frames = await noticesAfterRequest(t, watch, { ...user, token });
  t.true(frames.length <= 2, frames.join(' | '));
  t.true(
    frames.every((frame) => frame === RECEIVED),
    frames.join(' | '),
  );

  const profile = await profileOf(api, user);
  t.like(profile, { city: 'Paris', country: 'GB', first_name: 'Ada' });
  t.regex(String(profile['site']), /^https?:\/\//);
  watch.close();
});

test('nobody found: the socket gets the error line', async (t) => {
  const user = await signUp(t.context.api, { email: `nobody.${uniqueUsername()}@example.com` });
  const watch = await openAuthenticated(t.context.target.baseUrl, user.token, user.userId);
  const frames = await noticesAfterRequest(t, watch, user);
  t.true(frames.length <= 2, frames.join(' | '));
  t.true(
    frames.every((frame) => frame === NOT_RECEIVED),
    frames.join(' | '),
  );
  t.is((await profileOf(t.context.api, user))['city'], null);
  watch.close();
});

test('every socket of the user gets the notice; another user gets nothing', async (t) => {
  const [ada, bob] = await Promise.all([settledUser(t.context), settledUser(t.context)]);
  const { baseUrl } = t.context.target;
  const adaText = await openAuthenticated(baseUrl, ada.token, ada.userId);
  const adaJson = await openAuthenticatedJson(baseUrl, ada.token, ada.userId);
  const bobWatch = await openAuthenticated(baseUrl, bob.token, bob.userId);

  const answer = await t.context.api.post('/user/request-retrieve-data', {}, { token: ada.token });
  t.is(answer.status, 202);
  t.is(await adaText.next(), RECEIVED);
  const event = (await adaJson.nextJson()) as {
    type: string;
    user_id: number;
    profile: unknown;
  };
  t.is(event.type, 'enrichment.completed');
  t.is(event.user_id, ada.userId);
  t.deepEqual(event.profile, await profileOf(t.context.api, ada), 'the event carries the profile');
  await bobWatch.expectNoMessage(500);
  await adaText.expectNoMessage(0);
  for (const socket of [adaText, adaJson, bobWatch]) socket.close();
});
