import test from 'ava';
import type { Knex } from 'knex';
import {
  aPost,
  recordEvents,
  rejectsWithPlazaError,
  signedUpUser,
  testPlaza,
} from '@plaza/testkit';
import { INVALID_TOKEN_MESSAGE, WRONG_CREDENTIALS_MESSAGE } from '../errors.js';
import { TokenVersions } from '../auth/TokenVersions.js';

test('a deleted user’s tokens are refused at once, however long versions are cached', async (t) => {
  const plaza = await testPlaza(t, { tokenVersionCacheMs: 3_600_000 });
  const ada = await signedUpUser(plaza);
  t.is(await plaza.auth.verifyToken(ada.token), ada.id);
  const deleted = recordEvents(plaza, 'user.deleted');

  await plaza.account.delete(ada.id, { password: ada.input.password });

  t.deepEqual(deleted.events, [{ user_id: ada.id }]);
  await rejectsWithPlazaError(t, plaza.auth.verifyToken(ada.token), {
    code: 'AUT_01',
    field: 'TOKEN',
    message: INVALID_TOKEN_MESSAGE,
  });
  await rejectsWithPlazaError(t, plaza.account.export(ada.id), { code: 'AUT_01' });
});

test('a wrong password deletes nothing and announces nothing', async (t) => {
  const plaza = await testPlaza(t);
  const ada = await signedUpUser(plaza);
  const { post_id } = await plaza.posts.create(ada.id, aPost());
  const deleted = recordEvents(plaza, 'user.deleted');
  await rejectsWithPlazaError(
    t,
    plaza.account.delete(ada.id, { password: `${ada.input.password}!` }),
    { code: 'AUT_02', message: WRONG_CREDENTIALS_MESSAGE },
  );
  t.deepEqual(deleted.events, []);
  t.is((await plaza.posts.read({ post_id })).post_id, post_id);
  t.is((await plaza.account.export(ada.id)).posts.length, 1);
});

test('the export names no secret column, and holds the account’s rows', async (t) => {
  const plaza = await testPlaza(t);
  const ada = await signedUpUser(plaza, { first_name: 'Ada' });
  await plaza.posts.create(ada.id, aPost({ title: 'One' }));
  await plaza.posts.create(ada.id, aPost({ title: 'Two' }));
  const exported = await plaza.account.export(ada.id);
  t.like(exported.account, { user_id: ada.id, email: ada.input.email, first_name: 'Ada' });
  t.deepEqual(
    exported.posts.map((post) => post.title),
    ['One', 'Two'],
  );
  const text = JSON.stringify(exported);
  t.false(/password|hash|token_version/.test(text));
});

test('token versions: a forgotten user stays forgotten, whatever is learned or read after', async (t) => {
  let resolveRead: ((row: unknown) => void) | undefined;
  // A database whose read of the version answers only when told: a read under way.
  const db = (() => ({
    select: () => ({
      where: () => ({
        first: () =>
          new Promise((resolve) => {
            resolveRead = resolve;
          }),
      }),
    }),
  })) as unknown as Knex;
  const versions = new TokenVersions(db, { cacheMs: 3_600_000, maxEntries: 10 });
  const reading = versions.current(7);
  versions.forget(7);
  resolveRead?.({ token_version: 3 });
  t.is(await reading, undefined, 'a read begun before the deletion does not bring it back');
  // A revocation announced late (another process's, before the deletion) neither.
  versions.learn(7, 4);
  t.is(await versions.current(7), undefined);
});
