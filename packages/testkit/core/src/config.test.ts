import test from 'ava';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from './config.js';
import { plazaOptionsFromEnv } from './plazaSettings.js';
import { ConfigError } from './errors.js';

test('plazaOptionsFromEnv reads the keys of the spec', (t) => {
  const options = plazaOptionsFromEnv({
    DATABASE_URL: 'sqlite:./data/test.sqlite',
    JWT_SECRET: 'an-environment-secret-of-32-bytes-or-more',
    JWT_TTL: '7200',
    HUNTER_API_KEY: 'hunter-key',
    HUNTER_API_URL: 'http://127.0.0.1:9999',
    HUNTER_TIMEOUT_MS: '2500',
    HUNTER_FAIL_OPEN: 'yes',
    PLAZA_PROVIDERS: 'fake',
    PASSWORD_MIN_LENGTH: '12',
    SCRYPT_LOG_N: '14',
    SQLITE_BUSY_TIMEOUT_MS: '250',
    PORT: '8000',
    LOG_LEVEL: 'debug',
  });
  t.deepEqual(options, {
    databaseUrl: 'sqlite:./data/test.sqlite',
    jwtSecret: 'an-environment-secret-of-32-bytes-or-more',
    jwtTtlSeconds: 7200,
    hunter: {
      apiKey: 'hunter-key',
      baseUrl: 'http://127.0.0.1:9999',
      timeoutMs: 2500,
      failOpen: true,
    },
    enrichment: { clearbit: {} },
    providers: 'fake',
    passwordMinLength: 12,
    scrypt: { logN: 14 },
    sqliteBusyTimeoutMs: 250,
  });
});

test('unset and empty keys are left out, so the defaults apply', (t) => {
  const options = plazaOptionsFromEnv({ DATABASE_URL: '', JWT_TTL: '  ', JWT_SECRET: undefined });
  t.false('databaseUrl' in options);
  t.false('jwtTtlSeconds' in options);
  t.false('jwtSecret' in options);
  t.false('scrypt' in options);
  t.deepEqual(options.hunter ?? {}, {});
});

const badValues: ReadonlyArray<readonly [string, string]> = [
  ['JWT_TTL', 'abc'],
  ['JWT_TTL', '-5'],
  ['JWT_TTL', '1.5'],
  ['JWT_TTL', '59'],
  ['DATABASE_URL', 'mysql://x'],
  ['DATABASE_URL', 'sqlite:'],
  ['PLAZA_PROVIDERS', 'mock'],
  ['HUNTER_FAIL_OPEN', 'perhaps'],
  ['SCRYPT_LOG_N', '9'],
  ['PASSWORD_MIN_LENGTH', '4'],
  ['PASSWORD_MIN_SCORE', '5'],
  ['PASSWORD_MIN_SCORE', '-1'],
  ['PASSWORD_MIN_SCORE', '2.5'],
  ['PASSWORD_MIN_SCORE', 'strong'],
  ['LOGIN_MAX_FAILURES', '-1'],
  ['LOGIN_WINDOW_SECONDS', '0'],
  ['LOGIN_LOCKOUT_SECONDS', 'soon'],
  ['LOGIN_LOCKOUT_MAX_SECONDS', '0'],
  ['LOGIN_IP_MAX_FAILURES', '1e3'],
  ['LOGIN_NAME_MAX_FAILURES', '-5'],
  ['LOGIN_ACCOUNT_PER_MINUTE', 'many'],
  ['LOGIN_IP_PER_MINUTE', '2.5'],
];

for (const [key, value] of badValues) {
  test(`${key}=${value} is a ConfigError naming ${key}`, (t) => {
    const error = t.throws(() => plazaOptionsFromEnv({ [key]: value }), {
      instanceOf: ConfigError,
    });
    t.true(error.message.includes(key), error.message);
  });
}

test('PASSWORD_MIN_SCORE takes zxcvbn scores 0 to 4', (t) => {
  for (const score of [0, 1, 2, 3, 4]) {
    t.like(plazaOptionsFromEnv({ PASSWORD_MIN_SCORE: String(score) }), { passwordMinScore: score });
  }
  t.false('passwordMinScore' in plazaOptionsFromEnv({ PASSWORD_MIN_SCORE: '' }));
});

test('plazaOptionsFromEnv reads the failed-login limits', (t) => {
  const options = plazaOptionsFromEnv({
    LOGIN_MAX_FAILURES: '3',
    LOGIN_WINDOW_SECONDS: '600',
    LOGIN_LOCKOUT_SECONDS: '60',
    LOGIN_LOCKOUT_MAX_SECONDS: '3600',
    LOGIN_IP_MAX_FAILURES: '0',
    LOGIN_NAME_MAX_FAILURES: '40',
    LOGIN_ACCOUNT_PER_MINUTE: '10',
    LOGIN_IP_PER_MINUTE: '0',
  });
  t.deepEqual(options.loginThrottle, {
    maxFailures: 3,
    windowSeconds: 600,
    lockoutSeconds: 60,
    lockoutMaxSeconds: 3600,
    ipMaxFailures: 0,
    nameMaxFailures: 40,
    accountLoginsPerMinute: 10,
    ipLoginsPerMinute: 0,
  });
  t.deepEqual(plazaOptionsFromEnv({ LOGIN_MAX_FAILURES: '7' }).loginThrottle, { maxFailures: 7 });
});

test('parseDatabaseUrl reads SQLite files, SQLite in memory and PostgreSQL', (t) => {
  t.deepEqual(parseDatabaseUrl('sqlite::memory:'), { client: 'sqlite', filename: ':memory:' });
  t.deepEqual(parseDatabaseUrl('sqlite:./data/x.sqlite'), {
    client: 'sqlite',
    filename: './data/x.sqlite',
  });
  t.deepEqual(parseDatabaseUrl('sqlite:/var/lib/plaza/x.sqlite'), {
    client: 'sqlite',
    filename: '/var/lib/plaza/x.sqlite',
  });
  t.deepEqual(parseDatabaseUrl('postgres://u@h/db'), {
    client: 'postgres',
    connectionString: 'postgres://u@h/db',
    schema: 'public',
  });
  t.deepEqual(parseDatabaseUrl('postgresql://u:p@h:5432/db'), {
    client: 'postgres',
    connectionString: 'postgresql://u:p@h:5432/db',
    schema: 'public',
  });
});

test('a PostgreSQL URL may name a schema, which is taken out of what node-postgres sees', (t) => {
  t.deepEqual(parseDatabaseUrl('postgres://u:p@h:5432/db?schema=social&sslmode=require'), {
    client: 'postgres',
    connectionString: 'postgres://u:p@h:5432/db?sslmode=require',
    schema: 'social',
  });
  for (const schema of ['Social', '1st', 'a-b', 'x;drop', 'a'.repeat(64)]) {
    const error = t.throws(() => parseDatabaseUrl(`postgres://h/db?schema=${schema}`), {
      instanceOf: ConfigError,
    });
    t.regex(error.message, /schema in DATABASE_URL/);
  }
});

test('the default database is a SQLite file in ./data', (t) => {
  t.deepEqual(parseDatabaseUrl(DEFAULT_DATABASE_URL), {
    client: 'sqlite',
    filename: './data/plaza.sqlite',
  });
});

test('parseDatabaseUrl refuses what it cannot open, naming DATABASE_URL', (t) => {
  for (const url of [
    'mysql://x',
    'sqlite:',
    'x.sqlite',
    '',
    'postgres:/one-slash',
    'postgres://[',
  ]) {
    const error = t.throws(() => parseDatabaseUrl(url), { instanceOf: ConfigError }, url);
    t.regex(error.message, /DATABASE_URL/);
  }
});

test('plazaOptionsFromEnv reads the enrichment keys', (t) => {
  const options = plazaOptionsFromEnv({
    ENRICHMENT_PROVIDER: 'clearbit',
    CLEARBIT_API_KEY: 'sk_clearbit_env_key',
    CLEARBIT_API_URL: 'http://127.0.0.1:9998',
    ENRICHMENT_TIMEOUT_MS: '2500',
    ENRICHMENT_WORKER: 'off',
    ENRICHMENT_CONCURRENCY: '8',
    ENRICHMENT_MAX_ATTEMPTS: '3',
    ENRICHMENT_RETRY_BASE_MS: '500',
    ENRICHMENT_RETRY_MAX_MS: '60000',
    ENRICHMENT_POLL_MS: '250',
  });
  t.deepEqual(options.enrichment, {
    provider: 'clearbit',
    clearbit: { apiKey: 'sk_clearbit_env_key', baseUrl: 'http://127.0.0.1:9998' },
    timeoutMs: 2500,
    worker: false,
    concurrency: 8,
    maxAttempts: 3,
    retryBaseMs: 500,
    retryMaxMs: 60000,
    pollIntervalMs: 250,
  });
});

for (const provider of ['clearbit', 'hunter', 'fake', 'none'] as const) {
  test(`ENRICHMENT_PROVIDER=${provider} is read as is`, (t) => {
    t.is(plazaOptionsFromEnv({ ENRICHMENT_PROVIDER: provider }).enrichment?.provider, provider);
  });
}

test('without enrichment keys no enrichment setting is made up', (t) => {
  const enrichment = plazaOptionsFromEnv({
    ENRICHMENT_PROVIDER: ' ',
    CLEARBIT_API_KEY: '',
  }).enrichment;
  t.is(enrichment?.provider, undefined);
  t.is(enrichment?.clearbit?.apiKey, undefined);
  t.is(enrichment?.clearbit?.baseUrl, undefined);
  for (const key of ['timeoutMs', 'worker', 'concurrency', 'maxAttempts', 'pollIntervalMs']) {
    t.false(key in (enrichment ?? {}), key);
  }
});

test('a Clearbit key alone is kept, so the default provider can become clearbit', (t) => {
  const options = plazaOptionsFromEnv({ CLEARBIT_API_KEY: '  sk_trimmed  ' });
  t.deepEqual(options.enrichment?.clearbit, { apiKey: 'sk_trimmed' });
  t.false('provider' in (options.enrichment ?? {}));
});

test("CLEARBIT_API_SECRET, the original service's name, is taken for CLEARBIT_API_KEY", (t) => {
  const clearbit = (env: Record<string, string>) => plazaOptionsFromEnv(env).enrichment?.clearbit;
  t.deepEqual(clearbit({ CLEARBIT_API_SECRET: 'sk_original' }), { apiKey: 'sk_original' });
  t.deepEqual(clearbit({ CLEARBIT_API_SECRET: 'sk_same', CLEARBIT_API_KEY: ' sk_same ' }), {
    apiKey: 'sk_same',
  });
});

test('CLEARBIT_API_KEY and CLEARBIT_API_SECRET set to different keys are refused, unquoted', (t) => {
  const error = t.throws(
    () => plazaOptionsFromEnv({ CLEARBIT_API_KEY: 'sk_one_key', CLEARBIT_API_SECRET: 'sk_other' }),
    { instanceOf: ConfigError },
  );
  t.regex(error.message, /CLEARBIT_API_KEY.*CLEARBIT_API_SECRET/);
  t.false(error.message.includes('sk_one_key') || error.message.includes('sk_other'));
});

test('ENRICHMENT_WORKER reads the usual spellings of true and false', (t) => {
  for (const value of ['1', 'true', 'YES', 'on']) {
    t.true(plazaOptionsFromEnv({ ENRICHMENT_WORKER: value }).enrichment?.worker, value);
  }
  for (const value of ['0', 'false', 'No', 'off']) {
    t.false(plazaOptionsFromEnv({ ENRICHMENT_WORKER: value }).enrichment?.worker, value);
  }
});

test('enrichment numbers at the ends of their ranges are accepted', (t) => {
  t.like(
    plazaOptionsFromEnv({
      ENRICHMENT_CONCURRENCY: '1',
      ENRICHMENT_MAX_ATTEMPTS: '100',
      ENRICHMENT_TIMEOUT_MS: '100',
      ENRICHMENT_POLL_MS: '60000',
    }).enrichment,
    { concurrency: 1, maxAttempts: 100, timeoutMs: 100, pollIntervalMs: 60000 },
  );
  t.is(plazaOptionsFromEnv({ ENRICHMENT_CONCURRENCY: '256' }).enrichment?.concurrency, 256);
});

const badEnrichmentValues: ReadonlyArray<readonly [string, string]> = [
  ['ENRICHMENT_PROVIDER', 'mock'],
  ['ENRICHMENT_PROVIDER', 'Clearbit'],
  ['ENRICHMENT_PROVIDER', 'clearbit,fake'],
  ['ENRICHMENT_CONCURRENCY', '0'],
  ['ENRICHMENT_CONCURRENCY', '257'],
  ['ENRICHMENT_CONCURRENCY', '-1'],
  ['ENRICHMENT_CONCURRENCY', '1.5'],
  ['ENRICHMENT_CONCURRENCY', 'four'],
  ['ENRICHMENT_MAX_ATTEMPTS', '0'],
  ['ENRICHMENT_MAX_ATTEMPTS', '101'],
  ['ENRICHMENT_TIMEOUT_MS', '99'],
  ['ENRICHMENT_TIMEOUT_MS', '120001'],
  ['ENRICHMENT_RETRY_BASE_MS', '0'],
  ['ENRICHMENT_RETRY_MAX_MS', '86400001'],
  ['ENRICHMENT_POLL_MS', '9'],
  ['ENRICHMENT_WORKER', 'sometimes'],
];

for (const [key, value] of badEnrichmentValues) {
  test(`${key}=${value} is a ConfigError naming ${key}`, (t) => {
    const error = t.throws(() => plazaOptionsFromEnv({ [key]: value }), {
      instanceOf: ConfigError,
    });
    t.true(error.message.includes(key), error.message);
  });
}

test('a bad ENRICHMENT_PROVIDER is refused with the choices listed', (t) => {
  const error = t.throws(() => plazaOptionsFromEnv({ ENRICHMENT_PROVIDER: 'mock' }), {
    instanceOf: ConfigError,
  });
  for (const choice of ['clearbit', 'hunter', 'fake', 'none'])
    t.regex(error.message, new RegExp(choice));
});

test('a config error never quotes the Clearbit key', (t) => {
  const error = t.throws(
    () =>
      plazaOptionsFromEnv({ CLEARBIT_API_KEY: 'sk_secret_never_logged', ENRICHMENT_POLL_MS: 'x' }),
    { instanceOf: ConfigError },
  );
  t.false(error.message.includes('sk_secret_never_logged'));
});
