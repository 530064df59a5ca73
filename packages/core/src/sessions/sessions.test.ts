import test from 'ava';
import jwt from 'jsonwebtoken';
import { createKnex } from '../adapters/db/createKnex.js';
import { parseDatabaseUrl } from '../config.js';
import { createPlaza } from '../createPlaza.js';
import {
  databaseUrlIn,
  freshDatabaseUrl,
  recordEvents,
  rejectsWithPlazaError,
  signedUpUser,
  sleep,
  temporaryDirectory,
  testOptions,
  testPlaza,
  waitUntil,
  withDatabase,
} from '@plaza/testkit';
import { deviceLabel, MAX_DEVICE_LABEL_LENGTH } from './deviceLabel.js';
import { refreshTokenHash } from './refreshTokens.js';

const sidOf = (token: string): unknown => (jwt.decode(token) as jwt.JwtPayload)['sid'];

const refuses = (t: Parameters<typeof rejectsWithPlazaError>[0], promise: Promise<unknown>) =>
  rejectsWithPlazaError(t, promise, { code: 'AUT_01' });

// --- device labels ---------------------------------------------------------------------------

test('a device label is the User-Agent cleaned: no control characters, one space, at most 200', (t) => {
  t.is(deviceLabel('  Mozilla/5.0\r\n(X11;\u202e Linux)\t '), 'Mozilla/5.0 (X11; Linux)');
  t.is(deviceLabel(''), null);
  t.is(deviceLabel(' \r\n\t'), null);
  t.is(deviceLabel(undefined), null);
  t.is(deviceLabel(42), null);
  const long = deviceLabel('😀'.repeat(300));
  t.is(Array.from(long ?? '').length, MAX_DEVICE_LABEL_LENGTH);
  t.true(long?.endsWith('😀'), 'cut between characters, not inside one');
});

// --- what is stored --------------------------------------------------------------------------

test('only the SHA-256 of a refresh token is stored, with the session labelled by its device', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const plaza = await testPlaza(t, { databaseUrl });
  const ada = await signedUpUser(plaza);
  const issued = await plaza.auth.login(ada.input, { device: 'Phone/1.0' });
  await withDatabase(databaseUrl, async (db) => {
    const tokens: Array<{ token_hash: string; session_id: number | string }> = await db(
      'refresh_tokens',
    ).select('token_hash', 'session_id');
    t.is(tokens.length, 2, 'the sign-up’s and the login’s');
    t.true(
      tokens.some(
        (row) =>
          row.token_hash === refreshTokenHash(issued.refreshToken) &&
          Number(row.session_id) === issued.sessionId,
      ),
    );
    const everything = JSON.stringify(await db('refresh_tokens').select('*'));
    t.false(everything.includes(issued.refreshToken));
    const session = (await db('user_sessions').where('id', issued.sessionId).first()) as {
      device: string;
      user_id: number | string;
    };
    t.is(session.device, 'Phone/1.0');
    t.is(Number(session.user_id), ada.id);
  });
  t.is(sidOf(issued.token), issued.sessionId);
});

// --- lifetime --------------------------------------------------------------------------------

test('a session unrefreshed for its lifetime ends: its access token and refresh token are refused', async (t) => {
  const plaza = await testPlaza(t, { refreshTokenTtlSeconds: 1, jwtTtlSeconds: 600 });
  const ada = await signedUpUser(plaza);
  const issued = await plaza.auth.login(ada.input);
  t.is(await plaza.auth.verifyToken(issued.token), ada.id);
  await sleep(1300);
  await refuses(t, plaza.auth.verifyToken(issued.token));
  await refuses(t, plaza.auth.refresh({ refresh_token: issued.refreshToken }));
  t.deepEqual(await plaza.auth.sessions(ada.id), { sessions: [] });
});

test('each refresh starts the lifetime again', async (t) => {
  const plaza = await testPlaza(t, { refreshTokenTtlSeconds: 6 });
  const ada = await signedUpUser(plaza);
  const first = await plaza.auth.login(ada.input);
  await sleep(4000);
  const second = await plaza.auth.refresh({ refresh_token: first.refreshToken });
  t.true(Date.parse(second.expiresAt) > Date.now());
  // Past the first lifetime, within the second.
  await sleep(4000);
  t.is(await plaza.auth.verifyToken(second.token), ada.id);
  const third = await plaza.auth.refresh({ refresh_token: second.refreshToken });
  t.is(third.sessionId, first.sessionId);
});

test('refreshTokenTtlSeconds must be a positive whole number', async (t) => {
  for (const refreshTokenTtlSeconds of [0, -1, 1.5]) {
    await t.throwsAsync(createPlaza(testOptions({ refreshTokenTtlSeconds })), {
      message: /refreshTokenTtlSeconds/,
    });
  }
});

// --- the hot path ----------------------------------------------------------------------------

test('checking a token of a known session reads no session from the database', async (t) => {
  const db = createKnex(parseDatabaseUrl(freshDatabaseUrl()), { busyTimeoutMs: 5000 });
  t.teardown(() => db.destroy());
  const { databaseUrl: _unused, ...options } = testOptions({ tokenVersionCacheMs: 60_000 });
  const plaza = await createPlaza({ ...options, knex: db });
  t.teardown(() => plaza.close());
  const ada = await signedUpUser(plaza);
  const issued = await plaza.auth.login(ada.input);
  const sessionReads: string[] = [];
  db.on('query', (query: { sql: string }) => {
    if (query.sql.includes('user_sessions')) sessionReads.push(query.sql);
  });
  for (let i = 0; i < 50; i += 1) {
    t.like(await plaza.auth.authenticate(issued.token), { sessionId: issued.sessionId });
  }
  t.deepEqual(sessionReads, []);
});

// --- other instances -------------------------------------------------------------------------

test('a logout through another instance applies here once the cache time has passed', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const one = await testPlaza(t, { databaseUrl });
  const other = await testPlaza(t, { databaseUrl, tokenVersionCacheMs: 200 });
  const ada = await signedUpUser(one);
  const issued = await one.auth.login(ada.input);
  t.is(await other.auth.verifyToken(issued.token), ada.id);
  await one.auth.logout(ada.id, issued.sessionId);
  await refuses(t, one.auth.verifyToken(issued.token));
  await waitUntil('the other instance refuses the token', () =>
    other.auth.verifyToken(issued.token).then(
      () => false,
      () => true,
    ),
  );
  await refuses(t, other.auth.refresh({ refresh_token: issued.refreshToken }));
});

// --- events ----------------------------------------------------------------------------------

test('logout and reuse announce auth.session_ended with the user and session', async (t) => {
  const plaza = await testPlaza(t);
  const ended = recordEvents(plaza, 'auth.session_ended');
  const ada = await signedUpUser(plaza);
  const phone = await plaza.auth.login(ada.input);
  const laptop = await plaza.auth.login(ada.input);
  await plaza.auth.logout(ada.id, phone.sessionId);
  await plaza.auth.refresh({ refresh_token: laptop.refreshToken });
  await refuses(t, plaza.auth.refresh({ refresh_token: laptop.refreshToken }));
  t.deepEqual(ended.events, [
    { user_id: ada.id, session_id: phone.sessionId },
    { user_id: ada.id, session_id: laptop.sessionId },
  ]);
  // Logging out a session already ended announces nothing more.
  await plaza.auth.logout(ada.id, phone.sessionId);
  t.is(ended.events.length, 2);
});
