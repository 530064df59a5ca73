import test from 'ava';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl, plazaOptionsFromEnv } from './config.js';
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
];

for (const [key, value] of badValues) {
  test(`${key}=${value} is a ConfigError naming ${key}`, (t) => {
    const error = t.throws(() => plazaOptionsFromEnv({ [key]: value }), {
      instanceOf: ConfigError,
    });
    t.true(error.message.includes(key), error.message);
  });
}

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
  });
  t.deepEqual(parseDatabaseUrl('postgresql://u:p@h:5432/db'), {
    client: 'postgres',
    connectionString: 'postgresql://u:p@h:5432/db',
  });
});

test('the default database is a SQLite file in ./data', (t) => {
  t.deepEqual(parseDatabaseUrl(DEFAULT_DATABASE_URL), {
    client: 'sqlite',
    filename: './data/plaza.sqlite',
  });
});

test('parseDatabaseUrl refuses what it cannot open, naming DATABASE_URL', (t) => {
  for (const url of ['mysql://x', 'sqlite:', 'x.sqlite', '', 'postgres:/one-slash']) {
    const error = t.throws(() => parseDatabaseUrl(url), { instanceOf: ConfigError }, url);
    t.regex(error.message, /DATABASE_URL/);
  }
});
