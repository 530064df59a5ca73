import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ConfigError } from '@plaza/core';
import { describeSetting, readSetting } from '@plaza/core/host';
import { keysReadBy } from '@plaza/testkit';
import { loadSettings, serverOptionsFromEnv } from './settings.js';
import { SERVER_SETTINGS } from './serverSettings.js';

test('WebSocket limits come from WS_* keys; unset keys keep the defaults', (t) => {
  t.deepEqual(serverOptionsFromEnv({}).webSocket, {});
  t.deepEqual(
    serverOptionsFromEnv({
      WS_AUTH_TIMEOUT_MS: '2000',
      WS_PING_INTERVAL_MS: '15000',
      WS_MAX_BUFFERED_BYTES: '65536',
      WS_MAX_SOCKETS_PER_USER: '4',
      WS_MESSAGES_PER_SECOND: '2',
      WS_MESSAGE_BURST: '8',
    }).webSocket,
    {
      authTimeoutMs: 2000,
      pingIntervalMs: 15000,
      maxBufferedBytes: 65536,
      maxSocketsPerUser: 4,
      messagesPerSecond: 2,
      messageBurst: 8,
    },
  );
});

test('TRUST_PROXY is off by default, true means one proxy, or a number of them', (t) => {
  t.is(serverOptionsFromEnv({}).trustProxy, 0);
  for (const [value, hops] of [
    ['false', 0],
    ['0', 0],
    ['true', 1],
    ['YES', 1],
    ['1', 1],
    ['2', 2],
  ] as const) {
    t.is(serverOptionsFromEnv({ TRUST_PROXY: value }).trustProxy, hops, value);
  }
  for (const value of ['11', 'maybe', '10.0.0.1', '-1']) {
    const error = t.throws(() => serverOptionsFromEnv({ TRUST_PROXY: value }), {
      instanceOf: ConfigError,
    });
    t.regex(error.message, /^TRUST_PROXY /);
  }
});

test('the rate limits come from their keys; a bad one names its key', (t) => {
  t.deepEqual(serverOptionsFromEnv({}).rateLimits, {});
  t.deepEqual(
    serverOptionsFromEnv({
      SIGNUP_PER_IP_PER_MINUTE: '5',
      WRITES_PER_USER_PER_MINUTE: '0',
      WRITES_PER_IP_PER_MINUTE: '100',
      RATE_LIMIT_LOOPBACK: 'true',
    }).rateLimits,
    {
      signUpsPerIpPerMinute: 5,
      writesPerUserPerMinute: 0,
      writesPerIpPerMinute: 100,
      limitLoopback: true,
    },
  );
  for (const key of [
    'SIGNUP_PER_IP_PER_MINUTE',
    'WRITES_PER_IP_PER_MINUTE',
    'RATE_LIMIT_LOOPBACK',
  ]) {
    const error = t.throws(() => serverOptionsFromEnv({ [key]: 'lots' }), {
      instanceOf: ConfigError,
    });
    t.true(error.message.startsWith(key), error.message);
  }
});

test('a WebSocket limit that cannot work names its key', (t) => {
  const error = t.throws(() => serverOptionsFromEnv({ WS_MAX_SOCKETS_PER_USER: '0' }), {
    instanceOf: ConfigError,
  });
  t.regex(error.message, /WS_MAX_SOCKETS_PER_USER/);
});

test('CORS is off unless CORS_ORIGINS is set; its origins are normalized as browsers send them', (t) => {
  t.is(serverOptionsFromEnv({}).cors, undefined);
  t.is(serverOptionsFromEnv({ CORS_ORIGINS: '  ' }).cors, undefined);
  t.deepEqual(
    serverOptionsFromEnv({
      CORS_ORIGINS: 'https://App.Example.com:443, http://localhost:5173,http://[::1]:8080,',
    }).cors,
    { origins: ['https://app.example.com', 'http://localhost:5173', 'http://[::1]:8080'] },
  );
  t.deepEqual(serverOptionsFromEnv({ CORS_ORIGINS: '*' }).cors, { origins: ['*'] });
});

test('a CORS_ORIGINS entry that is not an origin names the key and the entry', (t) => {
  for (const [value, entry] of [
    ['https://app.example.com/', 'https://app.example.com/'],
    ['https://app.example.com/app', 'https://app.example.com/app'],
    ['http://localhost:5173,app.example.com', 'app.example.com'],
    ['ftp://files.example.com', 'ftp://files.example.com'],
    ['https://user@app.example.com', 'https://user@app.example.com'],
    ['https://app.example.com?x=1', 'https://app.example.com?x=1'],
    ['https://app.example.com:99999', 'https://app.example.com:99999'],
    ['https://*.example.com', 'https://*.example.com'],
    ['null', 'null'],
  ]) {
    const error = t.throws(() => serverOptionsFromEnv({ CORS_ORIGINS: value }), {
      instanceOf: ConfigError,
    });
    t.true(error.message.startsWith(`CORS_ORIGINS "${entry}"`), error.message);
  }
});

test('"*" in CORS_ORIGINS must stand alone, and a list of only commas is refused', (t) => {
  for (const value of ['*,https://app.example.com', 'https://app.example.com, *', ',,']) {
    const error = t.throws(() => serverOptionsFromEnv({ CORS_ORIGINS: value }), {
      instanceOf: ConfigError,
    });
    t.regex(error.message, /^CORS_ORIGINS /);
  }
});

test('the settings table has every key the server and the core read, and no other', (t) => {
  const read = keysReadBy(serverOptionsFromEnv);
  t.true(read.has('PORT') && read.has('DATABASE_URL'), 'the recorder sees both layers');
  const listed = SERVER_SETTINGS.map((setting) => setting.key);
  t.deepEqual([...listed].sort(), [...read].sort());
  t.is(new Set(listed).size, listed.length, 'no key listed twice');
  for (const setting of SERVER_SETTINGS.map(describeSetting)) {
    t.false(setting.meaning.includes('\n'), `${setting.key}: one line`);
    t.not(setting.default, '', `${setting.key} says what applies when unset`);
  }
});

test('every declared default is a value its own key takes, and reads back as itself', (t) => {
  const withDefaults = SERVER_SETTINGS.filter((setting) => setting.default !== undefined);
  t.true(withDefaults.length > 40);
  for (const setting of withDefaults) {
    const env = { [setting.key]: String(setting.default) };
    t.deepEqual(readSetting(env, setting), setting.default, setting.key);
  }
});

test('the server applies the declared defaults of its own keys', (t) => {
  const settings = serverOptionsFromEnv({});
  t.like(settings, {
    port: 8000,
    host: '127.0.0.1',
    logLevel: 'info',
    bodyLimit: '100kb',
    shutdownTimeoutMs: 10_000,
    trustProxy: 0,
  });
  t.false('logFormat' in settings, 'unset: the CLI decides by the terminal');
});

// Pinned word for word: these messages were the same before the keys were declared once.
const refusals: ReadonlyArray<readonly [string, string, string]> = [
  ['PORT', 'eighty', 'PORT must be a whole number from 0 to 65535; it is "eighty".'],
  ['JWT_TTL', '1.5', 'JWT_TTL must be a whole number from 60 to 2678400; it is "1.5".'],
  [
    'DATABASE_URL',
    'mysql://x',
    'DATABASE_URL must start with sqlite: (as in sqlite:./data/plaza.sqlite or sqlite::memory:) or postgres://.',
  ],
  [
    'DATABASE_URL',
    'sqlite:',
    'DATABASE_URL "sqlite:" needs a file path, as in sqlite:./data/plaza.sqlite.',
  ],
  ['PLAZA_PROVIDERS', 'mock', 'PLAZA_PROVIDERS must be one of real, fake; it is "mock".'],
  ['HUNTER_FAIL_OPEN', 'Perhaps', 'HUNTER_FAIL_OPEN must be true or false; it is "perhaps".'],
  [
    'LOG_LEVEL',
    'INFO',
    'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; it is "INFO".',
  ],
  ['LOG_FORMAT', 'fancy', 'LOG_FORMAT must be one of json, pretty; it is "fancy".'],
  ['BODY_LIMIT', '1gb', 'BODY_LIMIT must be a size such as 100kb or 1mb; it is "1gb".'],
  [
    'TRUST_PROXY',
    'Maybe',
    'TRUST_PROXY must be true, false or the number of proxies in front of the server (0 to 10); it is "maybe".',
  ],
  [
    'CORS_ORIGINS',
    '*,https://a.example',
    'CORS_ORIGINS "*" (any origin) must stand alone; it is "*,https://a.example".',
  ],
];

for (const [key, value, message] of refusals) {
  test(`${key}=${value} is refused with the same words as ever`, (t) => {
    const error = t.throws(() => serverOptionsFromEnv({ [key]: value }), {
      instanceOf: ConfigError,
    });
    t.is(error.message, message);
  });
}

test('of several bad values, the same one is reported as ever', (t) => {
  const error = t.throws(
    () => serverOptionsFromEnv({ PORT: 'x', JWT_TTL: '1', LOG_LEVEL: 'nope', BODY_LIMIT: 'z' }),
    { instanceOf: ConfigError },
  );
  t.regex(error.message, /^LOG_LEVEL /);
});

test('LOG_FORMAT takes json or pretty', (t) => {
  t.is(serverOptionsFromEnv({ LOG_FORMAT: 'json' }).logFormat, 'json');
  t.is(serverOptionsFromEnv({ LOG_FORMAT: ' pretty ' }).logFormat, 'pretty');
  t.false('logFormat' in serverOptionsFromEnv({ LOG_FORMAT: '' }));
});

/** Writes `text` to a file named `name` in a folder of its own, and returns its path. */
function fileWith(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'plaza-settings-')), name);
  writeFileSync(path, text);
  return path;
}

test("a key in .env near a setting is warned about; other keys are other tools' business", (t) => {
  const dotenvFile = fileWith(
    '.env',
    [
      'PROT=1',
      'port=2',
      'LOG_LVL=debug',
      'CORS_ORIGIN=*',
      'PGPORT=5432',
      'HOME=/x',
      'NODE_ENV=production',
    ].join('\n'),
  );
  const warnings: string[] = [];
  const settings = loadSettings({ env: {}, dotenvFile, onWarning: (line) => warnings.push(line) });
  t.is(settings.port, 8000, 'none of them is taken for PORT');
  t.deepEqual(warnings, [
    `PROT in ${dotenvFile} is not a Plaza setting; did you mean PORT?`,
    `port in ${dotenvFile} is not a Plaza setting; did you mean PORT?`,
    `LOG_LVL in ${dotenvFile} is not a Plaza setting; did you mean LOG_LEVEL?`,
    `CORS_ORIGIN in ${dotenvFile} is not a Plaza setting; did you mean CORS_ORIGINS?`,
  ]);
});

test('every key of a --config file must be a setting', (t) => {
  const near = fileWith('plaza.config.json', JSON.stringify({ PORT: 1, JWT_SECERT: 'x' }));
  t.is(
    t.throws(() => loadSettings({ env: {}, configFile: near }), { instanceOf: ConfigError })
      .message,
    `JWT_SECERT in ${near} is not a Plaza setting; did you mean JWT_SECRET?`,
  );
  const far = fileWith('plaza.config.json', JSON.stringify({ NODE_ENV: 'production' }));
  t.is(
    t.throws(() => loadSettings({ env: {}, configFile: far }), { instanceOf: ConfigError }).message,
    `NODE_ENV in ${far} is not a Plaza setting (plaza-server --help lists them).`,
  );
});
