import anyTest, { type TestFn } from 'ava';
import { signUp, uniqueUsername } from '../support/builders.js';
import { inProcessOnly, useApiTarget, type ApiContext } from '../support/suite.js';

/** GET /user/data?username= and POST /user/update. */

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

const dataOf = (body: Record<string, unknown>) => body['data'] as Record<string, unknown>;

/**
 * An address the offline profile provider finds nothing for: a real server run with
 * PLAZA_PROVIDERS=fake would otherwise fill the new profile in between a test's reads.
 */
const unenrichedEmail = (): string => `nobody.${uniqueUsername('ada')}@example.com`;

test('a profile by username, in any case or width, as login finds it', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api, { first_name: 'Ada' });
  const byId = await api.get('/user/data', { user_id: ada.userId });
  for (const name of [ada.username, ada.username.toUpperCase()]) {
    const byName = await api.get('/user/data', { username: name });
    t.is(byName.status, 200);
    t.deepEqual(byName.body, byId.body, name);
  }
  // Full-width letters are the same name (NFKC), as at login.
  const wide = ada.username.replace(/[a-z]/g, (c) =>
    String.fromCodePoint(c.charCodeAt(0) + 0xfee0),
  );
  t.deepEqual((await api.get('/user/data', { username: wide })).body, byId.body);

  const own = await api.get('/user/data', { username: ada.username }, { token: ada.token });
  t.like(dataOf(own.body), { user_id: ada.userId, email: ada.email, following: false });
});

test('an unknown username is USR_01; user_id and username together are USR_02', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api);
  const unknown = await api.get('/user/data', { username: uniqueUsername('nobody') });
  t.is(unknown.status, 404);
  t.deepEqual(unknown.body, { code: 'USR_01', message: 'Object not found.' });
  const both = await api.get('/user/data', { user_id: ada.userId, username: ada.username });
  t.is(both.status, 400);
  t.deepEqual(both.body, {
    code: 'USR_02',
    message: 'Give user_id or username, not both.',
    field: 'username',
  });
  const tooLong = await api.get('/user/data', { username: 'a'.repeat(151) });
  t.like(tooLong.body, { code: 'USR_02', field: 'username' });
});

test('update changes the fields sent, keeps the others, clears those sent empty', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api, {
    first_name: 'Ada',
    city: 'London',
    bio: 'Engines',
    email: unenrichedEmail(),
  });
  const before = dataOf((await api.get('/user/data', {}, { token: ada.token })).body);

  const updated = await api.post(
    '/user/update',
    { city: 'Paris', bio: '', lat: '48.85', birth_date: '1815-12-10' },
    { token: ada.token },
  );
  t.is(updated.status, 200);
  const profile = dataOf(updated.body);
  t.deepEqual(profile, {
    ...before,
    city: 'Paris',
    bio: null,
    lat: 48.85,
    birth_date: '1815-12-10',
  });
  t.deepEqual(Object.keys(profile), Object.keys(before), 'the same keys in the same order');
  const read = await api.get('/user/data', {}, { token: ada.token });
  t.deepEqual(dataOf(read.body), profile, 'the answer is the saved profile');

  // JSON null clears as well; unknown parameters are ignored, as at sign-up.
  const json = await api.send(
    'POST',
    '/user/update',
    JSON.stringify({ first_name: null, username: 'someone_else', password: 'x', is_admin: true }),
    { token: ada.token, headers: { 'content-type': 'application/json' } },
  );
  t.is(json.status, 200);
  t.like(dataOf(json.body), { first_name: null, username: ada.username, city: 'Paris' });
  const login = await api.post('/api-token-auth/', {
    username: ada.username,
    password: ada.password,
  });
  t.is(login.status, 200, 'the password did not change');
});

test('update validates as sign-up does and saves nothing when a field is refused', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api, { city: 'London', email: unenrichedEmail() });
  const before = (await api.get('/user/data', {}, { token: ada.token })).body;
  const refused: ReadonlyArray<readonly [string, string]> = [
    ['birth_date', '2020-02-30'],
    ['lat', '91'],
    ['site', 'javascript:alert(1)'],
    ['first_name', 'Ada\nLovelace'],
    ['bio', 'b'.repeat(5001)],
    ['email', 'not-an-address'],
  ];
  for (const [field, value] of refused) {
    const answer = await api.post(
      '/user/update',
      { city: 'Paris', [field]: value },
      { token: ada.token },
    );
    t.is(answer.status, 400, field);
    t.like(answer.body, { code: 'USR_02', field }, field);
  }
  const emptyEmail = await api.post('/user/update', { email: '' }, { token: ada.token });
  t.deepEqual(emptyEmail.body, {
    code: 'USR_02',
    message: 'email cannot be empty: give the new address.',
    field: 'email',
  });
  const nothing = await api.post('/user/update', {}, { token: ada.token });
  t.is(nothing.status, 400);
  t.deepEqual(nothing.body, {
    code: 'USR_02',
    message: 'Give at least one profile field to change.',
  });
  const onlyUnknown = await api.post('/user/update', { username: 'x' }, { token: ada.token });
  t.like(onlyUnknown.body, { code: 'USR_02' });
  t.deepEqual((await api.get('/user/data', {}, { token: ada.token })).body, before);

  const anonymous = await api.post('/user/update', { city: 'Paris' });
  t.is(anonymous.status, 401);
  t.is(anonymous.body['code'], 'AUT_01');
});

test('a new email that verifies is saved and shown to its owner only', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api);
  const email = `${uniqueUsername('moved')}@example.com`;
  const answer = await api.post('/user/update', { email }, { token: ada.token });
  t.is(answer.status, 200);
  t.is(dataOf(answer.body)['email'], email);
  const stranger = await api.get('/user/data', { user_id: ada.userId });
  t.false(stranger.text.includes(email));
});

const inProcess = inProcessOnly(test);

inProcess?.('an email the verifier refuses is USR_03, and nothing is saved', async (t) => {
  const { api, target } = t.context;
  const ada = await signUp(api, { city: 'London' });
  const before = (await api.get('/user/data', {}, { token: ada.token })).body;
  const email = `${uniqueUsername('gone')}@example.com`;
  target.hunter!.respondWith(email, 'invalid');
  const refused = await api.post('/user/update', { email, city: 'Paris' }, { token: ada.token });
  t.is(refused.status, 400);
  t.deepEqual(refused.body, {
    code: 'USR_03',
    message: 'Email does not verify.',
    field: 'email',
  });
  t.deepEqual((await api.get('/user/data', {}, { token: ada.token })).body, before);
  t.true(target.hunter!.requests.some((request) => request.email === email));
});

inProcess?.('a verifier that cannot answer is EXT_01, and nothing is saved', async (t) => {
  const { api, target } = t.context;
  const ada = await signUp(api, { city: 'London' });
  const before = (await api.get('/user/data', {}, { token: ada.token })).body;
  const email = `${uniqueUsername('down')}@example.com`;
  target.hunter!.respondWith(email, { kind: 'error', httpStatus: 500 });
  const refused = await api.post('/user/update', { email, city: 'Paris' }, { token: ada.token });
  t.is(refused.status, 502);
  t.deepEqual(refused.body, {
    code: 'EXT_01',
    message: 'Cannot connect to hunter.io for socialuser email verification. Try again.',
  });
  t.deepEqual((await api.get('/user/data', {}, { token: ada.token })).body, before);
});

inProcess?.('sending the current email again does not ask the verifier', async (t) => {
  const { api, target } = t.context;
  const ada = await signUp(api);
  const askedAbout = () =>
    target.hunter!.requests.filter((request) => request.email === ada.email).length;
  t.is(askedAbout(), 1, 'at sign-up');
  const answer = await api.post(
    '/user/update',
    { email: ada.email, city: 'Oslo' },
    { token: ada.token },
  );
  t.is(answer.status, 200);
  t.like(dataOf(answer.body), { email: ada.email, city: 'Oslo' });
  t.is(askedAbout(), 1, 'not again');
});
