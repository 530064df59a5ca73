import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { enrichmentJobsOf } from '@plaza/core/host';
import { sharedDatabaseUrl, withDatabase } from '@plaza/testkit';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { signUp, uniqueUsername, type SignedUpUser } from '../support/builders.js';
import { eventually } from '../support/eventually.js';
import { Api } from '../support/http.js';
import {
  expectedFakeClearbitProfile,
  FAKE_CLEARBIT_API_KEY,
  startFakeClearbit,
  type FakeClearbit,
} from '../fakes/fakeClearbit.js';

interface Context {
  readonly clearbit: FakeClearbit;
  readonly target: InProcessTarget;
  readonly api: Api;
}

const test = anyTest as TestFn<Context>;

// Always in-process, even with REAL_SERVER: the Clearbit fake is steered per address.
test.before(async (t) => {
  const clearbit = await startFakeClearbit();
  const target = await startInProcessTarget({
    enrichment: {
      clearbit: { apiKey: FAKE_CLEARBIT_API_KEY, baseUrl: clearbit.url },
      // No test here waits a timeout out; every look-up must beat it, however loaded the machine.
      timeoutMs: 10_000,
      retryBaseMs: 20,
      retryMaxMs: 100,
      pollIntervalMs: 20,
    },
  });
  t.context = { clearbit, target, api: new Api(target.baseUrl) };
});

test.after.always(async (t) => {
  await t.context.target.close();
  await t.context.clearbit.close();
});

const ownProfile = async (api: Api, user: SignedUpUser): Promise<Record<string, unknown>> =>
  (await api.get('/user/data', {}, { token: user.token })).body['data'] as Record<string, unknown>;

const aPerson = (prefix: string): string => `${prefix}.${uniqueUsername('lovelace')}@example.com`;

const requestsFor = (clearbit: FakeClearbit, email: string): number =>
  clearbit.requests.filter((request) => request.email === email).length;

test('POST /user/request-retrieve-data needs a token', async (t) => {
  const none = await t.context.api.post('/user/request-retrieve-data');
  t.is(none.status, 401);
  t.is(none.body['code'], 'AUT_01');
  const forged = await t.context.api.post('/user/request-retrieve-data', {}, { token: 'x.y.z' });
  t.is(forged.status, 401);
  t.is(forged.body['code'], 'AUT_01');
});

test('sign-up fills the empty profile fields from Clearbit; what the user wrote stays', async (t) => {
  const { api } = t.context;
  const email = aPerson('ada');
  const user = await signUp(api, { email, city: 'Paris' });
  const expected = expectedFakeClearbitProfile(email);
  const profile = await eventually('the profile to be filled', async () => {
    const current = await ownProfile(api, user);
    return current['country'] === null ? undefined : current;
  });
  t.like(profile, {
    first_name: expected.first_name,
    last_name: expected.last_name,
    location: expected.location,
    city: 'Paris',
    state: expected.state,
    country: expected.country,
    lat: expected.lat,
    lng: expected.lng,
    bio: expected.bio,
    site: expected.site,
    avatar: expected.avatar,
  });
});

test('a request answers 202 PENDING and looks the person up again', async (t) => {
  const { api, clearbit } = t.context;
  const email = aPerson('grace');
  const user = await signUp(api, { email });
  await eventually('the sign-up look-up', async () =>
    (await ownProfile(api, user))['city'] === null ? undefined : true,
  );
  const before = requestsFor(clearbit, email);

  const response = await api.post('/user/request-retrieve-data', {}, { token: user.token });
  t.is(response.status, 202);
  t.deepEqual(response.body, { code: 'PENDING' });
  await eventually('a second look-up', () =>
    requestsFor(clearbit, email) > before ? true : undefined,
  );
  t.true(clearbit.requests.every((request) => request.authorized));
});

test('asking again while a job waits adds no second job', async (t) => {
  const { api, clearbit, target } = t.context;
  const email = aPerson('waiting');
  // Clearbit keeps answering "queued, try in a minute".
  clearbit.respondWith(email, { kind: 'queued', times: Infinity, retryAfter: 60 });
  const user = await signUp(api, { email });
  await eventually('the first look-up', () =>
    requestsFor(clearbit, email) > 0 ? true : undefined,
  );
  for (let i = 0; i < 3; i += 1) {
    const again = await api.post('/user/request-retrieve-data', {}, { token: user.token });
    t.is(again.status, 202);
  }
  const jobs = await enrichmentJobsOf(target.plaza, user.userId);
  t.is(jobs.length, 1);
  t.is(jobs[0]?.state, 'pending');
  t.is(requestsFor(clearbit, email), 1);
});

test('URLs and numbers from Clearbit are validated before they are stored', async (t) => {
  const { api, clearbit } = t.context;
  const email = aPerson('mallory');
  clearbit.respondWith(email, {
    kind: 'person',
    person: {
      avatar: 'javascript:alert(1)',
      site: 'ftp://example.com/',
      geo: {
        city: 'Nowhere',
        state: null,
        stateCode: null,
        country: null,
        countryCode: null,
        lat: 123,
        lng: 500,
      },
    },
  });
  const user = await signUp(api, { email });
  const profile = await eventually('the profile to be filled', async () => {
    const current = await ownProfile(api, user);
    return current['city'] === null ? undefined : current;
  });
  t.like(profile, { city: 'Nowhere', avatar: null, site: null, lat: null, lng: null });
});

test('text from Clearbit with control, bidi or invisible characters is not stored', async (t) => {
  const { api, clearbit } = t.context;
  const email = aPerson('trudy');
  clearbit.respondWith(email, {
    kind: 'person',
    person: {
      name: { fullName: null, givenName: 'Ada\u200e', familyName: 'Love\u200blace' },
      location: 'London\u0000',
      bio: 'Reads \u202egnp.exe',
      site: 'https://ada.example.com/\u202egnp.exe',
      avatar: 'https://img.example.com/a\r\nb.png',
      geo: {
        city: 'Lon\u2066don',
        state: 'Eng\u007fland',
        stateCode: null,
        country: 'United Kingdom',
        countryCode: null,
        lat: null,
        lng: null,
      },
    },
  });
  const user = await signUp(api, { email });
  const profile = await eventually('the profile to be filled', async () => {
    const current = await ownProfile(api, user);
    return current['country'] === null ? undefined : current;
  });
  t.like(profile, {
    country: 'United Kingdom',
    first_name: null,
    last_name: null,
    location: null,
    city: null,
    state: null,
    bio: null,
    site: null,
    avatar: null,
  });
});

test("Clearbit's key never reaches the logs", async (t) => {
  const { api, target } = t.context;
  await signUp(api, { email: aPerson('logcheck') });
  await eventually('a log line of the look-up', () =>
    target.logs().includes('enrichment') ? true : undefined,
  );
  t.false(target.logs().includes(FAKE_CLEARBIT_API_KEY));
});

test('a request with the token of a user deleted since is AUT_01, not a server error', async (t) => {
  // Not in memory: the test deletes the user through a connection of its own.
  const databaseUrl = sharedDatabaseUrl(mkdtempSync(join(tmpdir(), 'plaza-deleted-')));
  const target = await startInProcessTarget({
    databaseUrl,
    enrichment: { provider: 'fake', pollIntervalMs: 20 },
  });
  t.teardown(() => target.close());
  const api = new Api(target.baseUrl);
  const user = await signUp(api);
  // The user's enrichment jobs go too: the foreign key cascades. Sessions do not cascade.
  await withDatabase(databaseUrl, async (db) => {
    const sessions = db('user_sessions').select('id').where('user_id', user.userId);
    await db('refresh_tokens').whereIn('session_id', sessions).delete();
    await db('user_sessions').where('user_id', user.userId).delete();
    await db('users').where('id', user.userId).delete();
  });
  const answer = await api.post('/user/request-retrieve-data', {}, { token: user.token });
  t.is(answer.status, 401);
  t.is(answer.body['code'], 'AUT_01');
});
