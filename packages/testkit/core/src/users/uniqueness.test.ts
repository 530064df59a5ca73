import test, { type ExecutionContext } from 'ava';
import type { Knex } from 'knex';
import { dialectOf, schemaOf } from '../adapters/db/createKnex.js';
import { migrationSource } from '../adapters/db/migrationSource.js';
import { migrationTables } from '../adapters/db/migrationTables.js';
import { createPlaza, type Plaza } from '../createPlaza.js';
import { PlazaError, USERNAME_TAKEN_MESSAGE } from '../errors.js';
import {
  aUser,
  databaseUrlIn,
  FAST_SCRYPT,
  openDatabase,
  randomPassword,
  readUsers,
  rejectsWithPlazaError,
  StubEmailVerifier,
  temporaryDirectory,
  TEST_JWT_SECRET,
  testOptions,
  uniqueUsername,
} from '@plaza/testkit';
import type { SignUpResult } from './UserService.js';

// A slow verifier lets concurrent sign-ups all pass the "is it taken?" query before any of
// them inserts, so that the unique index has to settle the race.
const verifier = new StubEmailVerifier(
  () =>
    new Promise((resolve) => setTimeout(() => resolve({ deliverable: true, status: 'valid' }), 30)),
);
let plaza: Plaza;
test.before(async () => {
  plaza = await createPlaza(testOptions({ emailVerifier: verifier }));
});
test.after.always(async () => {
  await plaza.close();
});

const usernameTaken = {
  code: 'USR_05',
  field: 'username',
  message: USERNAME_TAKEN_MESSAGE,
} as const;

/** Letters and digits in their fullwidth forms, which NFKC folds back to ASCII. */
const fullwidth = (value: string): string =>
  value.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** Exactly one sign-up succeeded and every other one was USR_05; nothing else happened. */
function assertOneWinner(
  t: ExecutionContext,
  outcomes: PromiseSettledResult<SignUpResult>[],
): void {
  const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
  const lost = outcomes.flatMap((outcome) =>
    outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
  );
  t.is(won.length, 1);
  t.is(lost.length, outcomes.length - 1);
  for (const reason of lost) {
    t.true(reason instanceof PlazaError, `not a PlazaError: ${String(reason)}`);
    t.is((reason as PlazaError).code, 'USR_05');
    t.is((reason as PlazaError).field, 'username');
  }
}

test('a taken username is USR_05', async (t) => {
  const first = aUser();
  await plaza.users.signUp(first);
  await rejectsWithPlazaError(
    t,
    plaza.users.signUp(aUser({ username: first.username })),
    usernameTaken,
  );
});

test('usernames differing only in case or width are the same name', async (t) => {
  const name = uniqueUsername('ada');
  await plaza.users.signUp(aUser({ username: name }));
  for (const spelling of [name.toUpperCase(), `A${name.slice(1)}`, fullwidth(name)]) {
    t.not(spelling, name);
    await rejectsWithPlazaError(
      t,
      plaza.users.signUp(aUser({ username: spelling })),
      usernameTaken,
    );
  }
});

test('the original spelling is kept, and it logs in whatever the case', async (t) => {
  const input = aUser({ username: uniqueUsername('AdaLovelace') });
  const { user_id: id } = await plaza.users.signUp(input);
  t.is((await plaza.users.profile({ user_id: id })).username, input.username);
  const login = await plaza.auth.login({
    username: input.username.toLowerCase(),
    password: input.password,
  });
  t.is(login.userId, id);
});

test('a taken username is refused before the email is verified', async (t) => {
  const first = aUser();
  await plaza.users.signUp(first);
  t.true(verifier.calls.includes(first.email));
  const second = aUser({ username: first.username, email: `second.${first.email}` });
  await rejectsWithPlazaError(t, plaza.users.signUp(second), usernameTaken);
  t.false(verifier.calls.includes(second.email));
});

test('concurrent sign-ups of one name: exactly one wins, the others get USR_05', async (t) => {
  const name = uniqueUsername('race');
  const inputs = [
    aUser({ username: name }),
    aUser({ username: name, email: `other.${name}@example.com`, password: randomPassword() }),
  ];
  const outcomes = await Promise.allSettled(inputs.map((input) => plaza.users.signUp(input)));
  t.true(
    inputs.every((input) => verifier.calls.includes(input.email)),
    'both got past the first check, so the unique index decided',
  );
  assertOneWinner(t, outcomes);
});

test('concurrent sign-ups of one name in several spellings: exactly one wins', async (t) => {
  const name = uniqueUsername('race');
  const outcomes = await Promise.allSettled(
    [name, name.toUpperCase(), `R${name.slice(1)}`, fullwidth(name)].map((username) =>
      plaza.users.signUp(aUser({ username })),
    ),
  );
  assertOneWinner(t, outcomes);
});

test('concurrent sign-ups of one name through two instances on one database: one wins', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const options = { databaseUrl, scrypt: FAST_SCRYPT, jwtSecret: TEST_JWT_SECRET };
  const one = await createPlaza(options);
  t.teardown(() => one.close());
  const other = await createPlaza(options);
  t.teardown(() => other.close());
  const name = uniqueUsername('race');
  const outcomes = await Promise.allSettled([
    one.users.signUp(aUser({ username: name })),
    other.users.signUp(aUser({ username: name.toUpperCase() })),
    one.users.signUp(aUser({ username: `R${name.slice(1)}` })),
    other.users.signUp(aUser({ username: name })),
  ]);
  assertOneWinner(t, outcomes);
  const rows = await readUsers(databaseUrl);
  t.is(rows.length, 1);
});

test('a username that only looks like a taken one is taken; case and width as before', async (t) => {
  const name = uniqueUsername('admin');
  await plaza.users.signUp(aUser({ username: name }));
  for (const lookAlike of [
    `\u0430${name.slice(1)}`, // Cyrillic а
    `\u0391${name.slice(1).toUpperCase()}`, // Greek capital Α
    name.replace('m', 'rn'),
    name.toUpperCase(),
    fullwidth(name),
    // Cherokee capital A: its lower case looks like no Latin letter, the capital like "A".
    `\u13aa${name.slice(1)}`,
  ]) {
    t.not(lookAlike, name);
    await rejectsWithPlazaError(
      t,
      plaza.users.signUp(aUser({ username: lookAlike })),
      usernameTaken,
    );
  }
  await t.notThrowsAsync(plaza.users.signUp(aUser({ username: `${name}x` })));
});

test('a capital that looks like a taken name’s letter is taken, where its lower case does not: “Iris” beside “lris”', async (t) => {
  const name = uniqueUsername('lris');
  await plaza.users.signUp(aUser({ username: name }));
  await rejectsWithPlazaError(
    t,
    plaza.users.signUp(aUser({ username: `I${name.slice(1)}` })),
    usernameTaken,
  );
  await t.notThrowsAsync(plaza.users.signUp(aUser({ username: `i${name.slice(1)}` })));
});

test('concurrent sign-ups of look-alikes: exactly one wins', async (t) => {
  const name = uniqueUsername('race');
  const outcomes = await Promise.allSettled(
    [name, `r\u0430${name.slice(2)}`, name.replace('r', '\u0433')].map((username) =>
      plaza.users.signUp(aUser({ username })),
    ),
  );
  assertOneWinner(t, outcomes);
});

/** The migrations up to and including `last`, as an older Plaza had them. */
const migrationsUpTo = (last: string): Knex.MigrationSource<string> => ({
  ...migrationSource,
  getMigrations: async (loadExtensions) =>
    (await migrationSource.getMigrations(loadExtensions)).filter((name) => name <= last),
});

test('the skeleton migration keeps look-alikes that already exist, the oldest guarding the name', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const db = openDatabase(databaseUrl);
  t.teardown(() => db.destroy());
  if (dialectOf(db) === 'postgres') await db.raw('create schema if not exists ??', [schemaOf(db)]);
  await db.migrate.latest({
    migrationSource: migrationsUpTo('20261202000001_rate_limits'),
    ...migrationTables(db),
  });
  const now = new Date().toISOString();
  const existing = ['admin', '\u0430dmin', 'adrnin', 'ada'];
  for (const username of existing) {
    await db('users').insert({
      username,
      username_key: username,
      email: `${existing.indexOf(username)}@example.com`,
      email_verdict: 'valid',
      password_hash: 'not-a-real-hash',
      created_at: now,
      updated_at: now,
    });
  }

  const upgraded = await createPlaza(testOptions({ databaseUrl }));
  t.teardown(() => upgraded.close());
  const rows = await readUsers(databaseUrl);
  t.deepEqual(
    rows.map((row) => [row.username, row['username_skeleton']]),
    [
      ['admin', 'adrnin'],
      ['\u0430dmin', null],
      ['adrnin', null],
      ['ada', 'ada'],
    ],
  );
  for (const username of ['ADMIN', '\u0391DMIN', 'Ada']) {
    await rejectsWithPlazaError(t, upgraded.users.signUp(aUser({ username })), usernameTaken);
  }
  const { user_id: id } = await upgraded.users.signUp(aUser({ username: 'bob' }));
  t.is((await readUsers(databaseUrl)).find((row) => row.id === id)?.['username_skeleton'], 'bob');
});
