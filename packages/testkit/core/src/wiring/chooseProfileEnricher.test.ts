import test from 'ava';
import nock from 'nock';

import { ClearbitProfileEnricher } from '../adapters/clearbit/ClearbitProfileEnricher.js';
import { FakeProfileEnricher } from '../adapters/fake/FakeProfileEnricher.js';
import { HunterPeopleEnricher } from '../adapters/hunter/HunterPeopleEnricher.js';
import type { PlazaOptions } from '../config.js';
import { ConfigError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { recordingLogger } from '@plaza/testkit';
import { chooseProfileEnricher, enrichmentProviderOf } from './chooseProfileEnricher.js';
import type { EnrichmentResult, ProfileEnricher } from '../enrichment/ProfileEnricher.js';

const CLEARBIT_KEY = 'sk_test_clearbit_0123456789abcdef';
const HUNTER_KEY = 'hunter_test_key_0123456789abcdef';

const withClearbitKey = (overrides: PlazaOptions['enrichment'] = {}): PlazaOptions => ({
  enrichment: { clearbit: { apiKey: CLEARBIT_KEY }, ...overrides },
});

/** An enricher of the caller's own, as `enrichment.enricher` takes one. */
const customEnricher: ProfileEnricher = {
  name: 'in-house',
  lookUp: (): Promise<EnrichmentResult> => Promise.resolve({ kind: 'not_found' }),
};

test.before(() => {
  nock.disableNetConnect();
});

test.afterEach.always(() => {
  nock.cleanAll();
});

test.after.always(() => {
  nock.enableNetConnect();
});

test('by default there is no provider', (t) => {
  t.is(enrichmentProviderOf({}), 'none');
  t.is(enrichmentProviderOf({ enrichment: {} }), 'none');
  t.is(enrichmentProviderOf({ enrichment: { clearbit: {} } }), 'none');
  t.is(chooseProfileEnricher({}, silentLogger), undefined);
});

test('an empty Clearbit key counts as none', (t) => {
  t.is(enrichmentProviderOf({ enrichment: { clearbit: { apiKey: '' } } }), 'none');
});

test('a Clearbit key alone chooses Clearbit', (t) => {
  t.is(enrichmentProviderOf(withClearbitKey()), 'clearbit');
  const enricher = chooseProfileEnricher(withClearbitKey(), silentLogger);
  t.true(enricher instanceof ClearbitProfileEnricher);
  t.is(enricher?.name, 'clearbit');
});

test('a Hunter key alone does not turn enrichment on', (t) => {
  t.is(enrichmentProviderOf({ hunter: { apiKey: HUNTER_KEY } }), 'none');
});

test("providers 'fake' chooses the fake", (t) => {
  t.is(enrichmentProviderOf({ providers: 'fake' }), 'fake');
  const enricher = chooseProfileEnricher({ providers: 'fake' }, silentLogger);
  t.true(enricher instanceof FakeProfileEnricher);
  t.is(enricher?.name, 'fake-clearbit');
});

test("providers 'fake' wins over real keys and an asked-for real provider", (t) => {
  t.is(enrichmentProviderOf({ ...withClearbitKey(), providers: 'fake' }), 'fake');
  t.is(
    enrichmentProviderOf({ ...withClearbitKey({ provider: 'clearbit' }), providers: 'fake' }),
    'fake',
  );
  t.is(
    enrichmentProviderOf({
      providers: 'fake',
      hunter: { apiKey: HUNTER_KEY },
      enrichment: { provider: 'hunter' },
    }),
    'fake',
  );
});

test("provider 'none' turns enrichment off even with providers 'fake' or a key", (t) => {
  t.is(enrichmentProviderOf({ providers: 'fake', enrichment: { provider: 'none' } }), 'none');
  t.is(enrichmentProviderOf(withClearbitKey({ provider: 'none' })), 'none');
  t.is(
    chooseProfileEnricher({ providers: 'fake', enrichment: { provider: 'none' } }, silentLogger),
    undefined,
  );
});

test("providers 'real' changes nothing", (t) => {
  t.is(enrichmentProviderOf({ providers: 'real' }), 'none');
  t.is(enrichmentProviderOf({ ...withClearbitKey(), providers: 'real' }), 'clearbit');
});

test("provider 'fake' chooses the fake without any key", (t) => {
  t.is(enrichmentProviderOf({ enrichment: { provider: 'fake' } }), 'fake');
  t.true(
    chooseProfileEnricher({ enrichment: { provider: 'fake' } }, silentLogger) instanceof
      FakeProfileEnricher,
  );
});

test("provider 'clearbit' without a key is a ConfigError naming CLEARBIT_API_KEY", (t) => {
  for (const clearbit of [undefined, {}, { apiKey: '' }]) {
    const options: PlazaOptions = {
      enrichment: { provider: 'clearbit', ...(clearbit === undefined ? {} : { clearbit }) },
    };
    const error = t.throws(() => chooseProfileEnricher(options, silentLogger), {
      instanceOf: ConfigError,
    });
    t.regex(error.message, /CLEARBIT_API_KEY/);
  }
});

test("provider 'hunter' without HUNTER_API_KEY is a ConfigError naming it", (t) => {
  const options: PlazaOptions = { enrichment: { provider: 'hunter' }, ...withClearbitKey() };
  const error = t.throws(
    () => chooseProfileEnricher({ ...options, enrichment: { provider: 'hunter' } }, silentLogger),
    { instanceOf: ConfigError },
  );
  t.regex(error.message, /HUNTER_API_KEY/);
});

test("provider 'hunter' with a Hunter key chooses Hunter's people search", (t) => {
  const options: PlazaOptions = {
    hunter: { apiKey: HUNTER_KEY },
    enrichment: { provider: 'hunter' },
  };
  t.is(enrichmentProviderOf(options), 'hunter');
  const enricher = chooseProfileEnricher(options, silentLogger);
  t.true(enricher instanceof HunterPeopleEnricher);
  t.is(enricher?.name, 'hunter');
});

test('a custom enricher wins over every other setting', (t) => {
  const cases: PlazaOptions[] = [
    { enrichment: { enricher: customEnricher } },
    { providers: 'fake', enrichment: { enricher: customEnricher } },
    { enrichment: { clearbit: { apiKey: CLEARBIT_KEY }, enricher: customEnricher } },
    { enrichment: { provider: 'clearbit', enricher: customEnricher } },
    { enrichment: { provider: 'none', enricher: customEnricher } },
  ];
  for (const options of cases) {
    t.is(chooseProfileEnricher(options, silentLogger), customEnricher);
  }
});

test('the errors never quote a key', (t) => {
  const error = t.throws(
    () =>
      chooseProfileEnricher(
        { hunter: { apiKey: '' }, ...withClearbitKey({ provider: 'hunter' }) },
        silentLogger,
      ),
    { instanceOf: ConfigError },
  );
  t.false(error.message.includes(CLEARBIT_KEY));
});

test('the choice is logged, and no key with it', (t) => {
  const none = recordingLogger();
  chooseProfileEnricher({}, none.logger);
  t.is(none.calls.length, 1);
  t.regex(none.calls[0]!.message ?? '', /no enrichment provider/);

  const fake = recordingLogger();
  chooseProfileEnricher({ providers: 'fake' }, fake.logger);
  t.is(
    fake.calls[0]?.level,
    'warn',
    'an offline stand-in in place of a real provider is a warning',
  );

  const clearbit = recordingLogger();
  chooseProfileEnricher(withClearbitKey(), clearbit.logger);
  t.false(JSON.stringify(clearbit.calls).includes(CLEARBIT_KEY));
});

test.serial('the Clearbit enricher asks the configured URL with the configured key', async (t) => {
  const scope = nock('http://clearbit.test:8123')
    .matchHeader('authorization', `Bearer ${CLEARBIT_KEY}`)
    .get('/v2/people/find')
    .query({ email: 'ada@example.com' })
    .reply(404, { error: { type: 'unknown_record' } });
  const enricher = chooseProfileEnricher(
    withClearbitKey({
      clearbit: { apiKey: CLEARBIT_KEY, baseUrl: 'http://clearbit.test:8123/' },
    }),
    silentLogger,
  );
  t.deepEqual(await enricher!.lookUp('ada@example.com'), { kind: 'not_found' });
  t.true(scope.isDone());
});

test.serial('the Clearbit enricher gets the configured timeout', async (t) => {
  nock('http://clearbit.test:8123')
    .get('/v2/people/find')
    .query(true)
    .delay(2_000)
    .reply(200, { id: 'x' });
  const enricher = chooseProfileEnricher(
    withClearbitKey({
      clearbit: { apiKey: CLEARBIT_KEY, baseUrl: 'http://clearbit.test:8123' },
      timeoutMs: 100,
    }),
    silentLogger,
  );
  const started = Date.now();
  const result = await enricher!.lookUp('ada@example.com');
  t.is(result.kind, 'transient_error');
  // The answer, due at 2 s, would have been found under the default: the short one cut it.
  t.true(Date.now() - started < 10_000, 'the 100 ms timeout applied, not the 10 s default');
});

test.serial('the Hunter enricher asks the configured Hunter URL with the Hunter key', async (t) => {
  const scope = nock('http://hunter.test:8124')
    .get('/v2/people/find')
    .query({ email: 'ada@example.com', api_key: HUNTER_KEY })
    .reply(404, {});
  const enricher = chooseProfileEnricher(
    {
      hunter: { apiKey: HUNTER_KEY, baseUrl: 'http://hunter.test:8124' },
      enrichment: { provider: 'hunter' },
    },
    silentLogger,
  );
  t.deepEqual(await enricher!.lookUp('ada@example.com'), { kind: 'not_found' });
  t.true(scope.isDone());
});
