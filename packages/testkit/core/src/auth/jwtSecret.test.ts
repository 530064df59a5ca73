import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { createPlaza } from '../createPlaza.js';
import { ConfigError } from '../errors.js';
import {
  aUser,
  FAST_SCRYPT,
  freshDatabaseUrl,
  rejectsWithPlazaError,
  sqliteUrl,
  temporaryDirectory,
  testPlaza,
} from '@plaza/testkit';
import { jwtSecretPathFor } from './jwtSecret.js';

for (const [label, secret] of [
  ['"short"', 'short'],
  ['31 bytes', 'x'.repeat(31)],
  ['an empty string', ''],
  ['15 two-byte characters (30 bytes)', 'é'.repeat(15)],
] as const) {
  test(`a JWT secret of ${label} is refused with a ConfigError`, async (t) => {
    const error = await t.throwsAsync(
      createPlaza({ databaseUrl: freshDatabaseUrl(), jwtSecret: secret, scrypt: FAST_SCRYPT }),
      { instanceOf: ConfigError },
    );
    t.regex(error.message, /32 bytes/);
  });
}

test('a JWT secret of 32 bytes is accepted, counted in bytes', async (t) => {
  for (const jwtSecret of ['x'.repeat(32), 'é'.repeat(16)]) {
    const plaza = await testPlaza(t, { jwtSecret });
    const { user_id: id, token } = await plaza.users.signUp(aUser());
    t.is(await plaza.auth.verifyToken(token), id);
  }
});

// The tests below are about the secret Plaza generates and keeps in a file beside a SQLite
// database (or, in memory, for the process's life): they stay on SQLite in both suites.

test('without a configured secret, one is generated beside the database, mode 0600, and reused', async (t) => {
  const dir = await temporaryDirectory(t);
  const databaseUrl = sqliteUrl(dir);
  const secretFile = jwtSecretPathFor(join(dir, 'plaza.sqlite'));

  const first = await createPlaza({ databaseUrl, scrypt: FAST_SCRYPT });
  t.teardown(() => first.close());
  const { user_id: id, token } = await first.users.signUp(aUser());
  await first.close();

  t.is((await stat(secretFile)).mode & 0o777, 0o600);
  const generated = await readFile(secretFile, 'utf8');
  t.true(Buffer.byteLength(generated.trim()) >= 32);

  const second = await createPlaza({ databaseUrl, scrypt: FAST_SCRYPT });
  t.teardown(() => second.close());
  t.is(
    await second.auth.verifyToken(token),
    id,
    'a token from the first start verifies after a restart',
  );
  t.is(await readFile(secretFile, 'utf8'), generated, 'the secret file was left as it was');
});

test('two data folders get two different secrets', async (t) => {
  const one = await createPlaza({
    databaseUrl: sqliteUrl(await temporaryDirectory(t)),
    scrypt: FAST_SCRYPT,
  });
  t.teardown(() => one.close());
  const other = await createPlaza({
    databaseUrl: sqliteUrl(await temporaryDirectory(t)),
    scrypt: FAST_SCRYPT,
  });
  t.teardown(() => other.close());
  const { user_id: id, token } = await one.users.signUp(aUser());
  t.is(await one.auth.verifyToken(token), id);
  await rejectsWithPlazaError(t, other.auth.verifyToken(token), { code: 'AUT_01', field: 'TOKEN' });
});

test('two databases in one folder get two different secrets', async (t) => {
  const dir = await temporaryDirectory(t);
  const one = await createPlaza({ databaseUrl: sqliteUrl(dir, 'one.sqlite'), scrypt: FAST_SCRYPT });
  t.teardown(() => one.close());
  const other = await createPlaza({
    databaseUrl: sqliteUrl(dir, 'other.sqlite'),
    scrypt: FAST_SCRYPT,
  });
  t.teardown(() => other.close());
  const { user_id: id, token } = await one.users.signUp(aUser());
  await other.users.signUp(aUser());
  t.is(await one.auth.verifyToken(token), id);
  await rejectsWithPlazaError(t, other.auth.verifyToken(token), { code: 'AUT_01', field: 'TOKEN' });
  t.not(
    await readFile(jwtSecretPathFor(join(dir, 'one.sqlite')), 'utf8'),
    await readFile(jwtSecretPathFor(join(dir, 'other.sqlite')), 'utf8'),
  );
});

test('in-memory instances without a secret each make their own', async (t) => {
  const one = await createPlaza({ databaseUrl: 'sqlite::memory:', scrypt: FAST_SCRYPT });
  t.teardown(() => one.close());
  const other = await createPlaza({ databaseUrl: 'sqlite::memory:', scrypt: FAST_SCRYPT });
  t.teardown(() => other.close());
  const { user_id: id, token } = await one.users.signUp(aUser());
  t.is(await one.auth.verifyToken(token), id);
  await rejectsWithPlazaError(t, other.auth.verifyToken(token), { code: 'AUT_01', field: 'TOKEN' });
});

test('a configured secret wins over the file, and is not written to disk', async (t) => {
  const dir = await temporaryDirectory(t);
  const jwtSecret = 'a-configured-secret-of-more-than-32-bytes';
  const plaza = await createPlaza({ databaseUrl: sqliteUrl(dir), scrypt: FAST_SCRYPT, jwtSecret });
  t.teardown(() => plaza.close());
  await t.throwsAsync(stat(jwtSecretPathFor(join(dir, 'plaza.sqlite'))), { code: 'ENOENT' });
  const sameKey = await testPlaza(t, { jwtSecret });
  const { user_id: id, token } = await plaza.users.signUp(aUser());
  // The same id exists there too, so only the key decides.
  await sameKey.users.signUp(aUser());
  t.is(await sameKey.auth.verifyToken(token), id, 'tokens are signed with the configured secret');
});
