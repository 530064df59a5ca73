import { setTimeout as delay } from 'node:timers/promises';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { signUp, signUpFields, type SignedUpUser } from '../support/builders.js';
import type { ApiResponse } from '../support/http.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

/**
 * `GET /user/activity` as anyone sees it (REAL_SERVER too): your own `last_login` (sign-up,
 * login, refresh; not a failed login) and `last_request`, and the refusals: AUT_01 without a
 * token, USR_02 for a malformed `user_id`, AUT_04 for another person's (existing or not) to
 * anyone not listed in ADMIN_USERNAMES. The admin path is in activityAdmin.test.ts.
 */

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);
type T = ExecutionContext<ApiContext>;

interface Activity {
  readonly user_id: number;
  readonly last_login: string | null;
  readonly last_request: string | null;
}

const NOT_ALLOWED = { code: 'AUT_04', message: 'Not allowed.' };
const INVALID_TOKEN = { code: 'AUT_01', message: 'The auth token is invalid.', field: 'TOKEN' };

async function activityOf(t: T, token: string, params = {}): Promise<Activity> {
  const response = await t.context.api.get('/user/activity', params, { token });
  t.is(response.status, 200, response.text);
  return response.body['data'] as Activity;
}

const ms = (at: string | null): number => (at === null ? Number.NaN : Date.parse(at));

/** The newest `last_used` of the caller's live sessions, as GET /user/sessions lists them. */
async function newestSessionUse(t: T, token: string): Promise<string> {
  const response = await t.context.api.get('/user/sessions', {}, { token });
  t.is(response.status, 200, response.text);
  const sessions = (response.body['data'] as { sessions: Array<{ last_used: string }> }).sessions;
  return (
    sessions
      .map((session) => session.last_used)
      .sort()
      .at(-1) ?? ''
  );
}

test('a new account: last_login is its sign-up, last_request the request asking', async (t) => {
  const user = await signUp(t.context.api);
  const activity = await activityOf(t, user.token);
  t.is(activity.user_id, user.userId);
  t.is(activity.last_login, await newestSessionUse(t, user.token));
  t.true(ms(activity.last_request) >= ms(activity.last_login), JSON.stringify(activity));
  // Asking with your own id is asking for your own.
  const again = await activityOf(t, user.token, { user_id: user.userId });
  t.is(again.user_id, user.userId);
  t.is(again.last_login, activity.last_login);
});

test('a login and a refresh move last_login on; a failed login does not', async (t) => {
  const fields = signUpFields();
  const signedUp = await t.context.api.post('/user/data', fields);
  t.is(signedUp.status, 200, signedUp.text);
  const { token } = signedUp.body['data'] as { token: string };
  const first = await activityOf(t, token);

  await delay(5);
  const login = await t.context.api.post('/api-token-auth/', {
    username: fields['username']!,
    password: fields['password']!,
  });
  t.is(login.status, 200, login.text);
  const session = login.body['data'] as { token: string; refresh_token: string };
  const afterLogin = await activityOf(t, session.token);
  t.true(ms(afterLogin.last_login) > ms(first.last_login), JSON.stringify([first, afterLogin]));
  t.is(afterLogin.last_login, await newestSessionUse(t, session.token));

  await delay(5);
  const wrong = await t.context.api.post('/api-token-auth/', {
    username: fields['username']!,
    password: `${fields['password']!}-wrong`,
  });
  t.is(wrong.status, 401);
  t.is((await activityOf(t, session.token)).last_login, afterLogin.last_login);

  await delay(5);
  const refreshed = await t.context.api.post('/api-token-refresh/', {
    refresh_token: session.refresh_token,
  });
  t.is(refreshed.status, 200, refreshed.text);
  const next = (refreshed.body['data'] as { token: string }).token;
  const afterRefresh = await activityOf(t, next);
  t.true(ms(afterRefresh.last_login) > ms(afterLogin.last_login));
  t.is(afterRefresh.last_login, await newestSessionUse(t, next));
});

test('last_request follows the newest authenticated request, of any route', async (t) => {
  const user = await signUp(t.context.api);
  const first = await activityOf(t, user.token);
  await delay(5);
  const read = await t.context.api.get('/user/sessions', {}, { token: user.token });
  t.is(read.status, 200);
  const second = await activityOf(t, user.token);
  t.true(ms(second.last_request) > ms(first.last_request), JSON.stringify([first, second]));
  t.is(second.last_login, first.last_login, 'a request is not a login');
});

test('another person’s activity, or nobody’s, is AUT_04 (403) for an account that is not an admin', async (t) => {
  const [ada, bob] = await Promise.all([signUp(t.context.api), signUp(t.context.api)]);
  const asked = async (params: Record<string, string | number>): Promise<ApiResponse> =>
    t.context.api.get('/user/activity', params, { token: ada.token });
  for (const userId of [bob.userId, 2 ** 31 - 1]) {
    const refused = await asked({ user_id: userId });
    t.is(refused.status, 403, refused.text);
    t.deepEqual(refused.body, NOT_ALLOWED);
  }
  // The bearer form of the header is no different.
  const bearer = await t.context.api.get(
    '/user/activity',
    { user_id: bob.userId },
    { token: ada.token, scheme: 'Bearer' },
  );
  t.is(bearer.status, 403);
});

test('without a token AUT_01; a malformed user_id USR_02 naming it', async (t) => {
  const anonymous = await t.context.api.get('/user/activity');
  t.is(anonymous.status, 401);
  t.deepEqual(anonymous.body, INVALID_TOKEN);
  const forged = await t.context.api.get('/user/activity', {}, { token: 'not-a-token' });
  t.is(forged.status, 401);

  const user: SignedUpUser = await signUp(t.context.api);
  for (const bad of ['abc', '0', '-1', '1.5']) {
    const refused = await t.context.api.get(
      '/user/activity',
      { user_id: bad },
      { token: user.token },
    );
    t.is(refused.status, 400, `${bad}: ${refused.text}`);
    t.like(refused.body, { code: 'USR_02', field: 'user_id' });
  }
});

test('many requests at once: each answer is the asker’s own activity, and last_request only moves forward', async (t) => {
  const users = await Promise.all(Array.from({ length: 4 }, () => signUp(t.context.api)));
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, n) => {
      const user = users[n % users.length]!;
      return activityOf(t, user.token).then((activity) => ({ user, activity }));
    }),
  );
  for (const { user, activity } of answers) t.is(activity.user_id, user.userId);
  for (const user of users) {
    const seen = answers
      .filter((answer) => answer.user === user)
      .map((answer) => ms(answer.activity.last_request));
    const latest = await activityOf(t, user.token);
    t.true(ms(latest.last_request) >= Math.max(...seen));
  }
});

test('the account export holds your last request too', async (t) => {
  const user = await signUp(t.context.api);
  const seen = await activityOf(t, user.token);
  const exported = await t.context.api.get('/user/export', {}, { token: user.token });
  t.is(exported.status, 200, exported.text);
  const account = (exported.body['data'] as { account: { last_request: string | null } }).account;
  // The export is itself a request, after the one above.
  t.true(ms(account.last_request) >= ms(seen.last_request), JSON.stringify([seen, account]));
});
