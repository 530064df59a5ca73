import test from 'ava';
import { OWASP_SCRYPT_COST } from '../config.js';
import { createPlaza } from '../createPlaza.js';
import { PlazaError } from '../errors.js';
import {
  aUser,
  databaseUrlIn,
  FAST_SCRYPT,
  readUsers,
  rejectsWithPlazaError,
  scryptCostOf,
  temporaryDirectory,
  TEST_JWT_SECRET,
} from '@plaza/testkit';
import { PasswordHasher } from './PasswordHasher.js';

test('the stored hash is a salted scrypt key, not the password', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const plaza = await createPlaza({ databaseUrl, scrypt: FAST_SCRYPT, jwtSecret: TEST_JWT_SECRET });
  t.teardown(() => plaza.close());
  const ada = aUser();
  const bob = aUser({ password: ada.password });
  await plaza.users.signUp(ada);
  await plaza.users.signUp(bob);
  await plaza.close();

  const [adaRow, bobRow] = await readUsers(databaseUrl);
  if (!adaRow || !bobRow) return t.fail('both users should be stored');
  for (const row of [adaRow, bobRow]) {
    t.false(row.password_hash.includes(ada.password));
    const key = Buffer.from(row.password_hash, 'base64');
    t.is(key.toString('base64'), row.password_hash, 'the hash is plain base64');
    t.is(key.subarray(0, 6).toString('latin1'), 'scrypt');
    t.deepEqual(scryptCostOf(row.password_hash), { logN: 10, r: 8, p: 1 });
  }
  t.not(adaRow.password_hash, bobRow.password_hash, 'one password, two salts');
});

test('OWASP_SCRYPT_COST is N=2^17, r=8, p=1', (t) => {
  t.deepEqual(OWASP_SCRYPT_COST, { logN: 17, r: 8, p: 1 });
});

test('without a scrypt option, passwords are hashed at the OWASP cost', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const plaza = await createPlaza({ databaseUrl, jwtSecret: TEST_JWT_SECRET });
  t.teardown(() => plaza.close());
  await plaza.users.signUp(aUser());
  await plaza.close();

  const [row] = await readUsers(databaseUrl);
  t.deepEqual(scryptCostOf(row?.password_hash ?? ''), { logN: 17, r: 8, p: 1 });
});

test('a login re-hashes a password stored at another cost, and logins keep working', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const input = aUser();
  const before = await createPlaza({ databaseUrl, scrypt: { logN: 10 } });
  t.teardown(() => before.close());
  const { user_id: id } = await before.users.signUp(input);
  await before.close();
  const [original] = await readUsers(databaseUrl);
  t.is(original && scryptCostOf(original.password_hash).logN, 10);

  const after = await createPlaza({ databaseUrl, scrypt: { logN: 11 } });
  t.teardown(() => after.close());
  const credentials = { username: input.username, password: input.password };
  t.is((await after.auth.login(credentials)).userId, id);
  const [rehashed] = await readUsers(databaseUrl);
  if (!rehashed) return t.fail('the user should still be stored');
  t.deepEqual(scryptCostOf(rehashed.password_hash), { logN: 11, r: 8, p: 1 });
  t.not(rehashed.password_hash, original?.password_hash);

  t.is((await after.auth.login(credentials)).userId, id);
  const [unchanged] = await readUsers(databaseUrl);
  t.is(unchanged?.password_hash, rehashed.password_hash, 'no re-hash once the cost matches');
  await rejectsWithPlazaError(
    t,
    after.auth.login({ ...credentials, password: `${input.password}!` }),
    {
      code: 'AUT_02',
    },
  );
});

test('the hasher verifies the right password only, and survives a corrupt stored hash', async (t) => {
  const hasher = new PasswordHasher({ logN: 10, r: 8, p: 1 });
  const stored = await hasher.hash('plum-kettle-orbit-42');
  t.true(await hasher.verify(stored, 'plum-kettle-orbit-42'));
  t.false(await hasher.verify(stored, 'plum-kettle-orbit-43'));
  t.false(await hasher.verify('not a hash', 'plum-kettle-orbit-42'));
  t.false(await hasher.verify('', ''));
});

test('needsRehash tells a hash of the configured cost from any other', async (t) => {
  const hasher = new PasswordHasher({ logN: 10, r: 8, p: 1 });
  t.false(hasher.needsRehash(await hasher.hash('x')));
  t.true(hasher.needsRehash(await new PasswordHasher({ logN: 11, r: 8, p: 1 }).hash('x')));
  t.true(hasher.needsRehash(await new PasswordHasher({ logN: 10, r: 4, p: 1 }).hash('x')));
  t.true(hasher.needsRehash('garbage'));
});

test('hashing is bounded: past the queue, a request is refused with OFF_01', async (t) => {
  const hasher = new PasswordHasher({ logN: 14, r: 8, p: 1 }, { concurrency: 1, queue: 1 });
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  const running = hasher.hash('first password');
  await nextTurn();
  const waiting = hasher.hash('second password');
  await nextTurn();
  const refused = hasher.hash('third password');
  const error = await t.throwsAsync(refused, { instanceOf: PlazaError });
  t.is(error.code, 'OFF_01');
  t.true(await hasher.verify(await running, 'first password'));
  t.true(await hasher.verify(await waiting, 'second password'));
});

test('waiting hashes take turns by lane: one lane’s flood delays another’s by one turn', async (t) => {
  const hasher = new PasswordHasher({ logN: 12, r: 8, p: 1 }, { concurrency: 1, laneQueue: 100 });
  const finished: string[] = [];
  const hashIn = (lane: string, label: string) =>
    hasher.hash(label, { lane }).then(() => {
      finished.push(label);
    });
  const flood = Array.from({ length: 8 }, (_, i) => hashIn('203.0.113.5', `flood${i}`));
  const other = hashIn('198.51.100.7', 'other');
  await Promise.all([...flood, other]);
  // flood0 was running; then the lanes alternate: flood1, other, flood2, …
  t.true(finished.indexOf('other') <= 2, finished.join());
});

test('a lane past its share of the queue is refused with OFF_01, other lanes still queue', async (t) => {
  const hasher = new PasswordHasher({ logN: 12, r: 8, p: 1 }, { concurrency: 1, laneQueue: 2 });
  const flood = Array.from({ length: 4 }, (_, i) => hasher.hash(`flood${i}`, { lane: 'flooder' }));
  const settled = Promise.allSettled(flood);
  const other = hasher.hash('other', { lane: 'someone else' });
  const outcomes = (await settled).map((outcome) =>
    outcome.status === 'fulfilled' ? 'hashed' : (outcome.reason as PlazaError).code,
  );
  // One running, two waiting, the fourth refused.
  t.deepEqual(outcomes, ['hashed', 'hashed', 'hashed', 'OFF_01']);
  t.false(hasher.needsRehash(await other), 'the other lane’s hash was made');
});

test('one account’s hashes wait a few at a time whatever their lanes: a flood from many addresses delays another user by a few turns', async (t) => {
  const hasher = new PasswordHasher({ logN: 12, r: 8, p: 1 }, { concurrency: 1, accountQueue: 2 });
  const finished: string[] = [];
  const flood = Array.from({ length: 12 }, (_, i) =>
    hasher.hash(`flood${i}`, { lane: `203.0.113.${i}`, account: 'user:victim' }).then(
      () => finished.push(`flood${i}`),
      (error: unknown) => (error as PlazaError).code,
    ),
  );
  const other = hasher
    .hash('other', { lane: '198.51.100.7', account: 'user:someone' })
    .then(() => finished.push('other'));
  const outcomes = await Promise.all(flood);
  await other;
  // One running and two waiting, the other nine refused at once; the other user's is next.
  t.is(outcomes.filter((outcome) => outcome === 'OFF_01').length, 9);
  t.deepEqual(finished, ['flood0', 'flood1', 'flood2', 'other']);
});
