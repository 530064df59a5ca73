import { setTimeout as delay } from 'node:timers/promises';
import test, { type ExecutionContext } from 'ava';
import { databaseUrlIn, openDatabase, temporaryDirectory } from '@plaza/testkit';
import type { PlazaOptions } from '@plaza/core';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { signUp, uniqueUsername, type SignedUpUser } from '../support/builders.js';
import { eventually } from '../support/eventually.js';
import { Api } from '../support/http.js';
import { openAuthenticatedJson } from '../support/watchSocket.js';

/**
 * `GET /user/activity` with ADMIN_USERNAMES set, and what only a server of the test's own can
 * show: an admin reads anyone's activity (USR_01 for nobody), a person's last_request moves
 * with their authenticated requests (HTTP and `/user-watch`) and with nothing else, it is not
 * written per request but at shutdown, and another instance sees it once it is flushed.
 */

interface Activity {
  readonly user_id: number;
  readonly last_login: string | null;
  readonly last_request: string | null;
}

/** The name as an admin might list it: upper case, in full-width letters. */
const fullWidthUpper = (name: string): string =>
  name.toUpperCase().replace(/[!-~]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0));

async function start(
  t: ExecutionContext,
  adminName: string,
  options: Partial<PlazaOptions> = {},
): Promise<{ target: InProcessTarget; api: Api }> {
  const target = await startInProcessTarget({
    adminUsernames: [fullWidthUpper(adminName)],
    ...options,
  });
  t.teardown(() => target.close());
  return { target, api: new Api(target.baseUrl) };
}

async function activity(
  t: ExecutionContext,
  api: Api,
  token: string,
  userId?: number,
): Promise<Activity> {
  const response = await api.get(
    '/user/activity',
    userId === undefined ? {} : { user_id: userId },
    { token },
  );
  t.is(response.status, 200, response.text);
  return response.body['data'] as Activity;
}

test('an admin, listed in another case and width, reads anyone’s activity; nobody’s is USR_01', async (t) => {
  const adminName = uniqueUsername('boss');
  const { api } = await start(t, adminName);
  const admin = await signUp(api, { username: adminName });
  const bob = await signUp(api);
  const bobs = await activity(t, api, admin.token, bob.userId);
  t.is(bobs.user_id, bob.userId);
  t.truthy(bobs.last_login, 'his sign-up');
  t.is(bobs.last_request, null, 'he has sent no request with a token yet');

  const nobody = await api.get('/user/activity', { user_id: 2 ** 31 - 1 }, { token: admin.token });
  t.is(nobody.status, 404);
  t.deepEqual(nobody.body, { code: 'USR_01', message: 'Object not found.' });

  // Bob is no admin: the admin's activity is refused to him.
  const refused = await api.get('/user/activity', { user_id: admin.userId }, { token: bob.token });
  t.is(refused.status, 403);
  t.deepEqual(refused.body, { code: 'AUT_04', message: 'Not allowed.' });
});

test('a person’s last_request moves with their HTTP requests and their /user-watch authentication, not with a token check or a bad token', async (t) => {
  const adminName = uniqueUsername('boss');
  const { target, api } = await start(t, adminName);
  const admin = await signUp(api, { username: adminName });
  const bob: SignedUpUser = await signUp(api);
  const seen = () => activity(t, api, admin.token, bob.userId);

  // Asking about Bob is no request of Bob's.
  const before = await seen();
  await delay(5);
  t.deepEqual(await seen(), before);

  // A check of his token by whoever holds it, and a request with a forged token.
  t.is((await api.post('/api-token-verify/', { token: bob.token })).status, 200);
  t.is((await api.get('/post/list', {}, { token: `${bob.token}x` })).status, 200);
  t.is((await seen()).last_request, before.last_request);

  // A read with his token (a route where the token is optional) counts.
  await delay(5);
  t.is((await api.get('/post/list', {}, { token: bob.token })).status, 200);
  const afterRead = await seen();
  t.is(before.last_request, null);
  t.truthy(afterRead.last_request);

  // So does authenticating a live-events socket.
  await delay(5);
  const socket = await openAuthenticatedJson(target.baseUrl, bob.token, bob.userId);
  t.teardown(() => socket.close());
  const afterSocket = await seen();
  t.true(Date.parse(afterSocket.last_request!) > Date.parse(afterRead.last_request!));
  t.is(afterSocket.last_login, before.last_login);
});

test('requests are not written one by one: the stored time stays empty until the server closes, which writes it', async (t) => {
  const dir = await temporaryDirectory(t);
  const databaseUrl = databaseUrlIn(dir);
  // An hour between flushes: on a slow machine too, none comes before the close.
  const target = await startInProcessTarget({ databaseUrl, lastRequestFlushMs: 3_600_000 });
  let closed = false;
  t.teardown(async () => {
    if (!closed) await target.close();
  });
  const api = new Api(target.baseUrl);
  const users = await Promise.all(Array.from({ length: 3 }, () => signUp(api)));
  const answers = await Promise.all(
    users.flatMap((user) => Array.from({ length: 10 }, () => activity(t, api, user.token))),
  );
  const db = openDatabase(databaseUrl);
  t.teardown(() => db.destroy());
  const stored = async () =>
    new Map(
      (
        (await db('users')
          .select('id', 'last_request_at')
          .whereIn(
            'id',
            users.map((user) => user.userId),
          )) as Array<{ id: number | string; last_request_at: string | Date | null }>
      ).map((row) => [
        Number(row.id),
        row.last_request_at === null ? null : new Date(row.last_request_at).toISOString(),
      ]),
    );
  // Thirty requests, and within the interval nothing of them in the database.
  t.deepEqual([...(await stored()).values()], [null, null, null]);

  const last = await Promise.all(users.map((user) => activity(t, api, user.token)));
  t.is(answers.length, 30);
  await target.close();
  closed = true;
  const after = await stored();
  for (const [index, user] of users.entries()) {
    t.is(after.get(user.userId), last[index]!.last_request, `user ${index}`);
  }
});

test('two instances on one database: a request through one reaches the other’s answer once flushed', async (t) => {
  const dir = await temporaryDirectory(t);
  const databaseUrl = databaseUrlIn(dir);
  const adminName = uniqueUsername('boss');
  const options = { databaseUrl, lastRequestFlushMs: 200 };
  const one = await start(t, adminName, options);
  const other = await start(t, adminName, options);
  const admin = await signUp(other.api, { username: adminName });
  const bob = await signUp(one.api);
  await delay(5);
  // Bob's request through the first instance; his own answer there is its time.
  const own = await activity(t, one.api, bob.token);
  const reached = await eventually('the other instance to see Bob’s request', async () => {
    const seen = await activity(t, other.api, admin.token, bob.userId);
    return seen.last_request === own.last_request ? seen : undefined;
  });
  t.is(reached.last_login, own.last_login);
});
