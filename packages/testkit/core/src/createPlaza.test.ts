import test from 'ava';
import { createPlaza } from './createPlaza.js';
import { ConfigError } from './errors.js';
import {
  aPost,
  aUser,
  databaseUrlIn,
  FAST_SCRYPT,
  readUsers,
  rejectsWithPlazaError,
  temporaryDirectory,
  testOptions,
} from '@plaza/testkit';

test('two instances with their own databases share no state', async (t) => {
  const oneUrl = databaseUrlIn(await temporaryDirectory(t));
  const otherUrl = databaseUrlIn(await temporaryDirectory(t));
  const one = await createPlaza({ databaseUrl: oneUrl, scrypt: FAST_SCRYPT });
  t.teardown(() => one.close());
  const other = await createPlaza({ databaseUrl: otherUrl, scrypt: FAST_SCRYPT });
  t.teardown(() => other.close());

  const input = aUser();
  const { user_id: id, token } = await one.users.signUp(input);
  const { post_id: postId } = await one.posts.create(id, aPost());

  await rejectsWithPlazaError(t, other.users.profile({ user_id: id }), { code: 'USR_01' });
  await rejectsWithPlazaError(t, other.auth.login(input), { code: 'AUT_02' });
  await rejectsWithPlazaError(t, other.posts.read({ post_id: postId }), { code: 'USR_01' });
  await rejectsWithPlazaError(t, other.auth.verifyToken(token), { code: 'AUT_01' });

  const again = await other.users.signUp({ ...input, password: `${input.password}-other` });
  t.is(again.user_id, id, 'numbering starts afresh in the other database');
  t.is((await one.auth.login(input)).userId, id, 'the first keeps its own password');
  await rejectsWithPlazaError(t, other.auth.login(input), { code: 'AUT_02' });
  t.deepEqual(
    (await readUsers(oneUrl)).map((row) => row.username),
    [input.username],
  );
  t.deepEqual(
    (await readUsers(otherUrl)).map((row) => row.username),
    [input.username],
  );
});

test('two in-memory instances share no state', async (t) => {
  const one = await createPlaza(testOptions());
  t.teardown(() => one.close());
  const other = await createPlaza(testOptions());
  t.teardown(() => other.close());
  const input = aUser();
  await one.users.signUp(input);
  await rejectsWithPlazaError(t, other.auth.login(input), { code: 'AUT_02' });
  t.is((await other.posts.list({})).posts.length, 0);
});

test('data outlives a restart', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const first = await createPlaza({ databaseUrl, scrypt: FAST_SCRYPT });
  t.teardown(() => first.close());
  const input = aUser();
  const { user_id: id } = await first.users.signUp(input);
  const { post_id: postId } = await first.posts.create(id, aPost({ title: 'kept' }));
  await first.likes.like(id, { post_id: postId });
  await first.close();

  const second = await createPlaza({ databaseUrl, scrypt: FAST_SCRYPT });
  t.teardown(() => second.close());
  t.is((await second.auth.login(input)).userId, id);
  t.like(await second.posts.read({ post_id: postId }), { title: 'kept', likes: 1 });
});

test('health answers while open, and a closed instance refuses work', async (t) => {
  const plaza = await createPlaza(testOptions());
  t.teardown(() => plaza.close());
  await t.notThrowsAsync(plaza.health());
  await plaza.close();
  await t.throwsAsync(plaza.health());
});

test('impossible options are ConfigErrors at start', async (t) => {
  const cases = [
    { databaseUrl: 'postgres://u@h/db?schema=Not-A-Name' },
    { databaseUrl: 'mysql://x' },
    { databaseUrl: 'sqlite:' },
    { jwtTtlSeconds: 0 },
    { jwtTtlSeconds: 1.5 },
    { passwordMinLength: 7 },
    { passwordMinLength: 20, passwordMaxLength: 12 },
    { passwordMinScore: 5 },
    { passwordMinScore: -1 },
    { passwordMinScore: 2.5 },
  ];
  for (const overrides of cases) {
    await t.throwsAsync(
      createPlaza(testOptions(overrides)),
      { instanceOf: ConfigError },
      JSON.stringify(overrides),
    );
  }
});
