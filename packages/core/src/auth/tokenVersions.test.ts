import test from 'ava';
import jwt from 'jsonwebtoken';
import type { Knex } from 'knex';
import { plazaOptionsFromEnv } from '../plazaSettings.js';
import type { Plaza } from '../createPlaza.js';
import {
  ConfigError,
  INVALID_TOKEN_MESSAGE,
  PASSWORD_TOO_WEAK_MESSAGE,
  WRONG_CREDENTIALS_MESSAGE,
} from '../errors.js';
import {
  databaseUrlIn,
  insertUsers,
  migratedDatabase,
  RANDOM_10_CHARACTER_PASSWORDS,
  recordEvents,
  rejectsWithPlazaError,
  signedUpUser,
  sleep,
  temporaryDirectory,
  TEST_JWT_SECRET,
  testDialect,
  testPlaza,
  untyped,
  withDatabase,
} from '@plaza/testkit';
import { TokenVersions } from './TokenVersions.js';

const [NEW_PASSWORD, OTHER_PASSWORD, THIRD_PASSWORD] = RANDOM_10_CHARACTER_PASSWORDS;

const now = (): number => Math.floor(Date.now() / 1000);

/** A token as the test signs it: `claims` beside a valid `sub` and `exp`. */
const signed = (userId: number, claims: object = {}): string =>
  jwt.sign({ sub: String(userId), exp: now() + 600, ...claims }, TEST_JWT_SECRET, {
    algorithm: 'HS256',
  });

const versionIn = (token: string): unknown => (jwt.decode(token) as jwt.JwtPayload)['ver'];

const refusesToken = (
  t: Parameters<typeof rejectsWithPlazaError>[0],
  plaza: Plaza,
  token: string,
) =>
  rejectsWithPlazaError(t, plaza.auth.verifyToken(token), {
    code: 'AUT_01',
    field: 'TOKEN',
    message: INVALID_TOKEN_MESSAGE,
  });

// --- what tokens carry -----------------------------------------------------------------------

test('tokens carry the user version as ver: 0 at sign-up, the current one at login', async (t) => {
  const plaza = await testPlaza(t);
  const ada = await signedUpUser(plaza);
  t.is(versionIn(ada.token), 0);
  await plaza.auth.logoutAll(ada.id);
  await plaza.auth.logoutAll(ada.id);
  const issued = await plaza.auth.login(ada.input);
  t.is(versionIn(issued.token), 2);
  t.is(await plaza.auth.verifyToken(issued.token), ada.id);
  t.deepEqual(await plaza.auth.authenticate(issued.token), {
    userId: ada.id,
    tokenVersion: 2,
    sessionId: issued.sessionId,
  });
});

test('a token without ver counts as version 0: valid until the first revocation', async (t) => {
  const plaza = await testPlaza(t);
  const ada = await signedUpUser(plaza);
  const legacy = signed(ada.id);
  t.is(await plaza.auth.verifyToken(legacy), ada.id);
  t.deepEqual(await plaza.auth.checkToken({ token: legacy }), { token: legacy, user_id: ada.id });
  await plaza.auth.logoutAll(ada.id);
  await refusesToken(t, plaza, legacy);
});

for (const [label, ver] of [
  ['a string', '0'],
  ['negative', -1],
  ['a fraction', 0.5],
  ['null', null],
  ['higher than the user has', 7],
] as const) {
  test(`a token whose ver is ${label} is AUT_01`, async (t) => {
    const plaza = await testPlaza(t);
    const ada = await signedUpUser(plaza);
    await refusesToken(t, plaza, signed(ada.id, { ver }));
  });
}

// --- changing the password -------------------------------------------------------------------

test('a password change invalidates every earlier token and returns a working one', async (t) => {
  const plaza = await testPlaza(t);
  const ada = await signedUpUser(plaza);
  const fromLogin = await plaza.auth.login(ada.input);
  const revoked = recordEvents(plaza, 'auth.tokens_revoked');

  const issued = await plaza.auth.changePassword(ada.id, {
    old_password: ada.input.password,
    new_password: NEW_PASSWORD,
  });

  t.is(issued.userId, ada.id);
  t.true(Date.parse(issued.expiresAt) > Date.now());
  t.is(versionIn(issued.token), 1);
  t.is(await plaza.auth.verifyToken(issued.token), ada.id);
  await refusesToken(t, plaza, ada.token);
  await refusesToken(t, plaza, fromLogin.token);
  await rejectsWithPlazaError(t, plaza.auth.checkToken({ token: ada.token }), { code: 'AUT_01' });
  t.deepEqual(revoked.events, [{ user_id: ada.id, token_version: 1 }]);

  await rejectsWithPlazaError(t, plaza.auth.login(ada.input), { code: 'AUT_02' });
  const again = await plaza.auth.login({ username: ada.input.username, password: NEW_PASSWORD });
  t.is(await plaza.auth.verifyToken(again.token), ada.id);
});

test('a wrong old password is the login AUT_02, and nothing changes', async (t) => {
  const plaza = await testPlaza(t);
  const ada = await signedUpUser(plaza);
  const revoked = recordEvents(plaza, 'auth.tokens_revoked');
  for (const oldPassword of [`${ada.input.password}!`, 'x'.repeat(300)]) {
    await rejectsWithPlazaError(
      t,
      plaza.auth.changePassword(ada.id, { old_password: oldPassword, new_password: NEW_PASSWORD }),
      { code: 'AUT_02', field: undefined, message: WRONG_CREDENTIALS_MESSAGE },
    );
  }
  t.is(await plaza.auth.verifyToken(ada.token), ada.id, 'the old token still works');
  t.is((await plaza.auth.login(ada.input)).userId, ada.id, 'the old password still works');
  t.deepEqual(revoked.events, []);
});

test('a weak new password is USR_04 on new_password with a hint, and nothing changes', async (t) => {
  const plaza = await testPlaza(t);
  const ada = await signedUpUser(plaza);
  const weakOnes: ReadonlyArray<readonly [string, RegExp]> = [
    ['xx', /^Too short\./],
    ['12345678901', /^Only digits\./],
    ['password123', /^Too easy to guess\./],
    [ada.input.username, /^Too like your username or email address\.$/],
    ['x'.repeat(300), /^Too long\./],
  ];
  for (const [weak, hint] of weakOnes) {
    const error = await rejectsWithPlazaError(
      t,
      plaza.auth.changePassword(ada.id, { old_password: ada.input.password, new_password: weak }),
      { code: 'USR_04', field: 'new_password', message: PASSWORD_TOO_WEAK_MESSAGE },
    );
    t.regex(String(error.hint), hint, weak);
  }
  t.is(await plaza.auth.verifyToken(ada.token), ada.id, 'the old token still works');
  t.is((await plaza.auth.login(ada.input)).userId, ada.id, 'the old password still works');
});

test('missing parameters are PAR_01 naming them', async (t) => {
  const plaza = await testPlaza(t);
  const ada = await signedUpUser(plaza);
  await rejectsWithPlazaError(
    t,
    plaza.auth.changePassword(ada.id, untyped({ new_password: NEW_PASSWORD })),
    { code: 'PAR_01', field: 'old_password' },
  );
  await rejectsWithPlazaError(
    t,
    plaza.auth.changePassword(ada.id, untyped({ old_password: ada.input.password })),
    { code: 'PAR_01', field: 'new_password' },
  );
  await rejectsWithPlazaError(
    t,
    plaza.auth.changePassword(ada.id, { old_password: '', new_password: NEW_PASSWORD }),
    { code: 'PAR_01', field: 'old_password' },
  );
});

test('of two changes at once the first saved wins; the other is AUT_02', async (t) => {
  const plaza = await testPlaza(t);
  const ada = await signedUpUser(plaza);
  const attempts = [NEW_PASSWORD, OTHER_PASSWORD].map((password) =>
    plaza.auth.changePassword(ada.id, { old_password: ada.input.password, new_password: password }),
  );
  const outcomes = await Promise.allSettled(attempts);
  const won = outcomes.flatMap((outcome, index) =>
    outcome.status === 'fulfilled' ? [{ index, issued: outcome.value }] : [],
  );
  const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome] : []));
  t.is(won.length, 1);
  t.is(lost.length, 1);
  t.like(lost[0]?.reason, { code: 'AUT_02' });
  const winner = won[0];
  if (winner === undefined) return;

  t.is(await plaza.auth.verifyToken(winner.issued.token), ada.id);
  await refusesToken(t, plaza, ada.token);
  const winning = [NEW_PASSWORD, OTHER_PASSWORD][winner.index] as string;
  const losing = [NEW_PASSWORD, OTHER_PASSWORD][1 - winner.index] as string;
  const username = ada.input.username;
  t.is((await plaza.auth.login({ username, password: winning })).userId, ada.id);
  await rejectsWithPlazaError(t, plaza.auth.login({ username, password: losing }), {
    code: 'AUT_02',
  });
});

test('changes one after the other: only the latest token works', async (t) => {
  const plaza = await testPlaza(t);
  const ada = await signedUpUser(plaza);
  const first = await plaza.auth.changePassword(ada.id, {
    old_password: ada.input.password,
    new_password: NEW_PASSWORD,
  });
  const second = await plaza.auth.changePassword(ada.id, {
    old_password: NEW_PASSWORD,
    new_password: THIRD_PASSWORD,
  });
  await refusesToken(t, plaza, ada.token);
  await refusesToken(t, plaza, first.token);
  t.is(await plaza.auth.verifyToken(second.token), ada.id);
});

// --- logging out everywhere ------------------------------------------------------------------

test('logoutAll invalidates every token so far and announces it; others are untouched', async (t) => {
  const plaza = await testPlaza(t);
  const ada = await signedUpUser(plaza);
  const bob = await signedUpUser(plaza);
  const fromLogin = await plaza.auth.login(ada.input);
  const revoked = recordEvents(plaza, 'auth.tokens_revoked');

  await plaza.auth.logoutAll(ada.id);

  await refusesToken(t, plaza, ada.token);
  await refusesToken(t, plaza, fromLogin.token);
  t.is(await plaza.auth.verifyToken(bob.token), bob.id);
  t.deepEqual(revoked.events, [{ user_id: ada.id, token_version: 1 }]);
  const next = await plaza.auth.login(ada.input);
  t.is(await plaza.auth.verifyToken(next.token), ada.id, 'the password still works');
});

test('a revocation applies at once in the process that made it, whatever the cache time', async (t) => {
  const plaza = await testPlaza(t, { tokenVersionCacheMs: 3_600_000 });
  const ada = await signedUpUser(plaza);
  t.is(await plaza.auth.verifyToken(ada.token), ada.id, 'the version is cached now');
  await plaza.auth.logoutAll(ada.id);
  await refusesToken(t, plaza, ada.token);
  const changed = await plaza.auth.changePassword(ada.id, {
    old_password: ada.input.password,
    new_password: NEW_PASSWORD,
  });
  t.is(await plaza.auth.verifyToken(changed.token), ada.id);
});

// --- several instances on one database -------------------------------------------------------

test('another instance on the same database sees a revocation once its cache time has passed', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const one = await testPlaza(t, { databaseUrl });
  const cacheMs = 1500;
  const other = await testPlaza(t, { databaseUrl, tokenVersionCacheMs: cacheMs });
  const ada = await signedUpUser(one);

  t.is(await other.auth.verifyToken(ada.token), ada.id, 'read and cached by the other');
  const revokedAt = Date.now();
  await one.auth.logoutAll(ada.id);
  await refusesToken(t, one, ada.token);
  // The documented window: the other instance trusts what it read for up to cacheMs. On
  // PostgreSQL the event bus usually tells it sooner (test/scaleout/eventBus.test.ts).
  if (testDialect() === 'sqlite' && Date.now() - revokedAt < cacheMs / 2) {
    t.is(await other.auth.verifyToken(ada.token), ada.id, 'still trusted within the cache time');
  }
  await sleep(cacheMs + 50);
  await refusesToken(t, other, ada.token);
});

test('a token newer than another instance has cached works there at once', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const one = await testPlaza(t, { databaseUrl });
  const other = await testPlaza(t, { databaseUrl, tokenVersionCacheMs: 3_600_000 });
  const ada = await signedUpUser(one);
  t.is(await other.auth.verifyToken(ada.token), ada.id, 'version 0 cached by the other');
  const changed = await one.auth.changePassword(ada.id, {
    old_password: ada.input.password,
    new_password: NEW_PASSWORD,
  });
  t.is(await other.auth.verifyToken(changed.token), ada.id);
  await refusesToken(t, other, ada.token);
});

test('with a cache time of 0 another instance sees a revocation at once', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const one = await testPlaza(t, { databaseUrl });
  const other = await testPlaza(t, { databaseUrl, tokenVersionCacheMs: 0 });
  const ada = await signedUpUser(one);
  t.is(await other.auth.verifyToken(ada.token), ada.id);
  await one.auth.logoutAll(ada.id);
  await refusesToken(t, other, ada.token);
});

test('the token of a deleted user is AUT_01, and so is a revocation for them', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const plaza = await testPlaza(t, { databaseUrl, tokenVersionCacheMs: 0 });
  const ada = await signedUpUser(plaza);
  t.is(await plaza.auth.verifyToken(ada.token), ada.id);
  await withDatabase(databaseUrl, async (db) => {
    await db('enrichment_jobs').where('user_id', ada.id).delete();
    const sessions = db('user_sessions').select('id').where('user_id', ada.id);
    await db('refresh_tokens').whereIn('session_id', sessions).delete();
    await db('user_sessions').where('user_id', ada.id).delete();
    await db('users').where('id', ada.id).delete();
  });

  await refusesToken(t, plaza, ada.token);
  await rejectsWithPlazaError(t, plaza.auth.logoutAll(ada.id), { code: 'AUT_01' });
  await rejectsWithPlazaError(
    t,
    plaza.auth.changePassword(ada.id, {
      old_password: ada.input.password,
      new_password: NEW_PASSWORD,
    }),
    { code: 'AUT_01' },
  );
});

// --- configuration ---------------------------------------------------------------------------

test('TOKEN_VERSION_CACHE_MS sets the cache time; impossible values are ConfigErrors', async (t) => {
  t.is(plazaOptionsFromEnv({ TOKEN_VERSION_CACHE_MS: '0' }).tokenVersionCacheMs, 0);
  t.is(plazaOptionsFromEnv({ TOKEN_VERSION_CACHE_MS: '250' }).tokenVersionCacheMs, 250);
  t.false('tokenVersionCacheMs' in plazaOptionsFromEnv({}));
  t.throws(() => plazaOptionsFromEnv({ TOKEN_VERSION_CACHE_MS: '-1' }), {
    instanceOf: ConfigError,
    message: /TOKEN_VERSION_CACHE_MS/,
  });
  await t.throwsAsync(testPlaza(t, { tokenVersionCacheMs: 1.5 }), {
    instanceOf: ConfigError,
    message: /tokenVersionCacheMs/,
  });
});

// --- the cache itself ------------------------------------------------------------------------

interface CountedDatabase {
  readonly db: Knex;
  readonly reads: () => number;
  readonly userIds: readonly number[];
}

async function usersDatabase(
  t: { teardown(fn: () => unknown): void },
  users: number,
): Promise<CountedDatabase> {
  const db = await migratedDatabase(t);
  const userIds = await insertUsers(db, users);
  let reads = 0;
  db.on('query', (query: { sql: string }) => {
    if (/select .*token_version/i.test(query.sql)) reads += 1;
  });
  return { db, reads: () => reads, userIds };
}

test('the cache reads a version once per cache time, and concurrent misses share a read', async (t) => {
  const { db, reads, userIds } = await usersDatabase(t, 1);
  const [ada = 0] = userIds;
  let clock = 1_000_000;
  const versions = new TokenVersions(db, { cacheMs: 1000, maxEntries: 10 }, () => clock);
  t.deepEqual(await Promise.all([versions.current(ada), versions.current(ada)]), [0, 0]);
  t.is(reads(), 1);
  clock += 999;
  t.is(await versions.current(ada), 0);
  t.is(reads(), 1);
  clock += 1;
  await db('users').where('id', ada).update({ token_version: 3 });
  t.is(await versions.current(ada), 3);
  t.is(reads(), 2);
  t.is(await versions.reload(ada), 3);
  t.is(reads(), 3, 'reload always reads');
  t.is(await versions.current(99), undefined, 'no such user');
});

test('the cache keeps at most maxEntries users, dropping the one loaded longest ago', async (t) => {
  const { db, reads, userIds } = await usersDatabase(t, 3);
  const versions = new TokenVersions(db, { cacheMs: 60_000, maxEntries: 2 });
  for (const id of userIds) await versions.current(id);
  t.is(reads(), 3);
  await versions.current(userIds[2] ?? 0);
  await versions.current(userIds[1] ?? 0);
  t.is(reads(), 3, 'the two latest are held');
  await versions.current(userIds[0] ?? 0);
  t.is(reads(), 4, 'the first was dropped');
});

test('a read under way when a version is learned does not undo it; learn never lowers', async (t) => {
  const { db, userIds } = await usersDatabase(t, 1);
  const [ada = 0] = userIds;
  const versions = new TokenVersions(db, { cacheMs: 0, maxEntries: 10 });
  const reading = versions.current(ada);
  versions.learn(ada, 4);
  t.is(await reading, 4, 'the database said 0, but 4 was learned while it was read');
  versions.learn(ada, 2);
  await db('users').where('id', ada).update({ token_version: 4 });
  t.is(await versions.current(ada), 4);
});
