import {
  DEFAULT_DATABASE_QUEUE_LIMIT,
  DEFAULT_POSTGRES_POOL_SIZE,
} from './adapters/db/createKnex.js';
import { DEFAULT_LOGIN_THROTTLE } from './auth/LoginThrottle.js';
import { DEFAULT_TOKEN_VERSION_SETTINGS } from './auth/TokenVersions.js';
import {
  DEFAULT_CLEARBIT_URL,
  DEFAULT_DATABASE_URL,
  DEFAULT_HUNTER_URL,
  DEFAULT_JWT_TTL_SECONDS,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  DEFAULT_PASSWORD_MIN_LENGTH,
  DEFAULT_PASSWORD_MIN_SCORE,
  DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
  definedOnly,
  ENRICHMENT_PROVIDERS,
  OWASP_SCRYPT_COST,
  parseDatabaseUrl,
  type EnrichmentProviderName,
  type PlazaOptions,
} from './config.js';
import { DEFAULT_WORKER_SETTINGS } from './enrichment/workerSettings.js';
import { DEFAULT_INBOX_RETENTION } from './inbox/InboxWriter.js';
import { ConfigError } from './errors.js';
import {
  checkedText,
  declareSettings,
  oneOf,
  onOff,
  readSetting,
  text,
  wholeNumber,
  type Env,
  type Setting,
  type SettingKind,
} from './setting.js';
import { DEFAULT_LAST_REQUEST_FLUSH_MS } from './activity/LastRequests.js';

/** ADMIN_USERNAMES: comma-separated names; blanks between commas are skipped. */
const usernameList: SettingKind<string[]> = checkedText(
  (value) =>
    value
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  'comma-separated usernames',
);

const worker = DEFAULT_WORKER_SETTINGS;
const throttle = DEFAULT_LOGIN_THROTTLE;
const DAY = 24 * 3600;
const MILLION = 1_000_000;

/**
 * Every key of the core's configuration, declared once: how `plazaOptionsFromEnv` reads it,
 * what applies while it is unset, and what it means. `plaza-server --help`, `.env.example`
 * and the configuration table are made from it.
 *
 * @example readSetting({ JWT_TTL: '600' }, PLAZA_SETTING.JWT_TTL) // 600
 */
export const PLAZA_SETTING = declareSettings({
  DATABASE_URL: {
    kind: checkedText((url) => {
      parseDatabaseUrl(url);
      return url;
    }, '`sqlite:PATH`, `sqlite::memory:` or `postgres://…`'),
    default: DEFAULT_DATABASE_URL,
    meaning:
      '`sqlite:PATH`, `sqlite::memory:`, or `postgres://user:password@host:5432/db[?schema=NAME]`; see docs/DEPLOYMENT.md',
    group: 'Database',
  },
  DATABASE_POOL_SIZE: {
    kind: wholeNumber(1, 1000),
    default: DEFAULT_POSTGRES_POOL_SIZE,
    meaning: 'PostgreSQL: the most connections one instance opens (plus one listening for events)',
    group: 'Database',
  },
  DATABASE_QUEUE_LIMIT: {
    kind: wholeNumber(1, MILLION),
    default: DEFAULT_DATABASE_QUEUE_LIMIT,
    meaning:
      'queries waiting for a database connection; past it a request gets OFF_01 (503) at once',
    group: 'Database',
  },
  SQLITE_BUSY_TIMEOUT_MS: {
    kind: wholeNumber(0, 600_000),
    default: DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
    meaning: 'how long a write waits for a locked SQLite database before OFF_01',
    group: 'Database',
  },
  JWT_SECRET: {
    kind: text,
    defaultText:
      'generated once beside the SQLite file (`data/plaza.jwt-secret`, mode 0600); on PostgreSQL, once in the `plaza_settings` table',
    meaning: 'HS256 key, at least 32 bytes, or the server refuses to start',
    group: 'Tokens and passwords',
    secret: true,
  },
  JWT_TTL: {
    kind: wholeNumber(60, 31 * DAY),
    default: DEFAULT_JWT_TTL_SECONDS,
    meaning: 'token lifetime in seconds',
    group: 'Tokens and passwords',
  },
  REFRESH_TOKEN_TTL: {
    kind: wholeNumber(60, 366 * DAY),
    default: DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
    meaning:
      'session lifetime in seconds: a refresh token unused this long no longer refreshes; each refresh starts it again',
    group: 'Tokens and passwords',
  },
  TOKEN_VERSION_CACHE_MS: {
    kind: wholeNumber(0, 3_600_000),
    default: DEFAULT_TOKEN_VERSION_SETTINGS.cacheMs,
    meaning:
      "how long a user's token version and a session's state, once read, are trusted (`0`: read per request); a revocation by another process applies here once it has passed, at once on PostgreSQL",
    group: 'Tokens and passwords',
  },
  SCRYPT_LOG_N: {
    kind: wholeNumber(10, 22),
    default: OWASP_SCRYPT_COST.logN,
    meaning:
      "scrypt cost (N = 2^value, r = 8, p = 1: OWASP's choice); hashes are upgraded at the next login when it changes",
    group: 'Tokens and passwords',
  },
  PASSWORD_MIN_LENGTH: {
    kind: wholeNumber(8, 64),
    default: DEFAULT_PASSWORD_MIN_LENGTH,
    meaning: 'minimum password length (NIST suggests 15 for single-factor)',
    group: 'Tokens and passwords',
  },
  PASSWORD_MIN_SCORE: {
    kind: wholeNumber(0, 4),
    default: DEFAULT_PASSWORD_MIN_SCORE,
    meaning:
      "zxcvbn score a password must reach (at least 3 if it holds the username or email); `3` refuses the original's clients' passwords",
    group: 'Tokens and passwords',
  },
  LOGIN_MAX_FAILURES: {
    kind: wholeNumber(0, MILLION),
    default: throttle.maxFailures,
    meaning:
      'failed logins of one username (known or not, any case) from one client within the window that lock that pair: AUT_03 (`0`: off)',
    group: 'Failed logins',
  },
  LOGIN_WINDOW_SECONDS: {
    kind: wholeNumber(1, 31 * DAY),
    default: throttle.windowSeconds,
    meaning: 'how long failed logins are counted together',
    group: 'Failed logins',
  },
  LOGIN_LOCKOUT_SECONDS: {
    kind: wholeNumber(1, 31 * DAY),
    default: throttle.lockoutSeconds,
    meaning: 'the first lockout, doubled at each further one',
    group: 'Failed logins',
  },
  LOGIN_LOCKOUT_MAX_SECONDS: {
    kind: wholeNumber(1, 366 * DAY),
    default: throttle.lockoutMaxSeconds,
    meaning: 'the longest lockout',
    group: 'Failed logins',
  },
  LOGIN_IP_MAX_FAILURES: {
    kind: wholeNumber(0, MILLION),
    default: throttle.ipMaxFailures,
    meaning:
      'failed logins from one client address (IPv6: its /64) within the window that lock it out (`0`: off)',
    group: 'Failed logins',
  },
  LOGIN_NAME_MAX_FAILURES: {
    kind: wholeNumber(0, MILLION),
    default: throttle.nameMaxFailures,
    meaning:
      'failed logins of one username from all clients within the window that slow it: then only clients that never failed for it may try (`0`: off)',
    group: 'Failed logins',
  },
  LOGIN_ACCOUNT_PER_MINUTE: {
    kind: wholeNumber(0, MILLION),
    default: throttle.accountLoginsPerMinute,
    meaning:
      'password checks (logins, right or wrong) of one username per minute: RAT_01 (`0`: off)',
    group: 'Failed logins',
  },
  LOGIN_IP_PER_MINUTE: {
    kind: wholeNumber(0, MILLION),
    default: throttle.ipLoginsPerMinute,
    meaning:
      'password checks (logins, right or wrong) from one client address per minute: RAT_01 (`0`: off)',
    group: 'Failed logins',
  },
  ADMIN_USERNAMES: {
    kind: usernameList,
    defaultText: 'none',
    meaning:
      "comma-separated usernames (any case or width, as at login) whose accounts may see anyone's `GET /user/activity`; list only names already signed up with: a free one is anyone's to take",
    group: 'Activity and admins',
  },
  LAST_REQUEST_FLUSH_MS: {
    kind: wholeNumber(100, 3_600_000),
    default: DEFAULT_LAST_REQUEST_FLUSH_MS,
    meaning:
      "how often each person's last authenticated request is written: at most one write per person per interval, many people per statement; kept in memory between, written at shutdown",
    group: 'Activity and admins',
  },
  HUNTER_API_KEY: {
    kind: text,
    defaultText: 'none: email verification skipped',
    meaning: 'Hunter email-verifier key',
    group: 'Providers',
    secret: true,
  },
  HUNTER_API_URL: {
    kind: text,
    default: DEFAULT_HUNTER_URL,
    meaning: "Hunter's base URL (tests point it at a local fake)",
    group: 'Providers',
  },
  HUNTER_TIMEOUT_MS: {
    kind: wholeNumber(100, 60_000),
    default: 5000,
    meaning: 'per-request timeout; one sign-up waits at most max(10 s, 2 × this)',
    group: 'Providers',
  },
  HUNTER_FAIL_OPEN: {
    kind: onOff,
    default: false,
    meaning:
      '`true`: accept sign-ups (marked `unverified`) while Hunter is down, instead of EXT_01',
    group: 'Providers',
  },
  PLAZA_PROVIDERS: {
    kind: oneOf(['real', 'fake']),
    default: 'real',
    meaning: '`fake`: built-in offline stand-ins for Hunter and Clearbit (logged at start)',
    group: 'Providers',
  },
  ENRICHMENT_PROVIDER: {
    kind: oneOf(
      ENRICHMENT_PROVIDERS as readonly [EnrichmentProviderName, ...EnrichmentProviderName[]],
    ),
    defaultText:
      '`clearbit` when a Clearbit key is set, else `none`; `fake` with `PLAZA_PROVIDERS=fake`',
    meaning: "which enriches profiles; `hunter` is Hunter's people/find with `HUNTER_API_KEY`",
    group: 'Providers',
  },
  CLEARBIT_API_KEY: {
    kind: text,
    defaultText: 'none: enrichment requests answer "not configured" over the WebSocket',
    meaning: 'Clearbit secret key (`sk_…`), sent as a Bearer token',
    group: 'Providers',
    secret: true,
  },
  CLEARBIT_API_SECRET: {
    kind: text,
    defaultText: 'none',
    meaning:
      "the original service's name for `CLEARBIT_API_KEY`, also read; if both are set, they must agree",
    group: 'Providers',
    secret: true,
  },
  CLEARBIT_API_URL: {
    kind: text,
    default: DEFAULT_CLEARBIT_URL,
    meaning: "Clearbit's base URL (tests point it at a local fake)",
    group: 'Providers',
  },
  ENRICHMENT_TIMEOUT_MS: {
    kind: wholeNumber(100, 120_000),
    default: 10_000,
    meaning: 'limit for one provider request, body included',
    group: 'Enrichment jobs',
  },
  ENRICHMENT_CONCURRENCY: {
    kind: wholeNumber(1, 256),
    default: worker.concurrency,
    meaning: 'enrichment jobs run at once by this process',
    group: 'Enrichment jobs',
  },
  ENRICHMENT_MAX_ATTEMPTS: {
    kind: wholeNumber(1, 100),
    default: worker.maxAttempts,
    meaning:
      'tries before a job that keeps failing (5xx, timeouts, garbage) gives up with a notice',
    group: 'Enrichment jobs',
  },
  ENRICHMENT_RETRY_BASE_MS: {
    kind: wholeNumber(1, 3_600_000),
    default: worker.retryBaseMs,
    meaning: 'backoff after a failed try, doubled each try, with jitter',
    group: 'Enrichment jobs',
  },
  ENRICHMENT_RETRY_MAX_MS: {
    kind: wholeNumber(1, 86_400_000),
    default: worker.retryMaxMs,
    meaning: 'the longest backoff',
    group: 'Enrichment jobs',
  },
  ENRICHMENT_POLL_MS: {
    kind: wholeNumber(10, 60_000),
    default: worker.pollIntervalMs,
    meaning: 'how often the worker looks for due jobs when nothing woke it',
    group: 'Enrichment jobs',
  },
  ENRICHMENT_LEASE_MS: {
    kind: wholeNumber(100, 3_600_000),
    default: worker.leaseMs,
    defaultText: 'at least 3 × `ENRICHMENT_TIMEOUT_MS`',
    meaning: "how long a claimed job is held; a dead worker's job is taken over after it",
    group: 'Enrichment jobs',
  },
  ENRICHMENT_WORKER: {
    kind: onOff,
    default: true,
    meaning: '`false`: this process queues jobs but leaves running them to another',
    group: 'Enrichment jobs',
  },
  INBOX_KEEP: {
    kind: wholeNumber(1, MILLION),
    default: DEFAULT_INBOX_RETENTION.keep,
    meaning:
      'the newest inbox entries kept per person (GET /notifications, and what a WebSocket resuming with `since` is sent); older ones are pruned as new ones come',
    group: 'Inbox',
  },
  INBOX_KEEP_DAYS: {
    kind: wholeNumber(1, 36_500),
    default: DEFAULT_INBOX_RETENTION.keepDays,
    meaning: 'days an inbox entry is kept at most',
    group: 'Inbox',
  },
});

/** The core's settings in the order of the docs. */
export const PLAZA_SETTINGS: readonly Setting[] = Object.values(PLAZA_SETTING);

const S = PLAZA_SETTING;

/** A key that also goes by the name the original service gave it; both set must agree. */
function aliasedSetting(
  env: Env,
  key: Setting<string>,
  alias: Setting<string>,
): string | undefined {
  const value = readSetting(env, key);
  const aliased = readSetting(env, alias);
  if (value !== undefined && aliased !== undefined && value !== aliased) {
    throw new ConfigError(
      `${key.key} and ${alias.key} name the same setting but differ; set one of them.`,
    );
  }
  return value ?? aliased;
}

/**
 * Reads the core's settings from environment-style keys (`PLAZA_SETTINGS`). Throws a
 * ConfigError naming the key when a value cannot work.
 *
 * @example const plaza = await createPlaza({ ...plazaOptionsFromEnv(process.env), logger })
 */
export function plazaOptionsFromEnv(env: Env): PlazaOptions {
  const read = <T>(setting: Setting<T>): T | undefined => readSetting(env, setting);
  // Read in this order, so that of several bad values the same one is reported as before.
  const databaseUrl = read(S.DATABASE_URL);
  const logN = read(S.SCRYPT_LOG_N);
  const hunter = definedOnly({
    apiKey: read(S.HUNTER_API_KEY),
    baseUrl: read(S.HUNTER_API_URL),
    timeoutMs: read(S.HUNTER_TIMEOUT_MS),
    failOpen: read(S.HUNTER_FAIL_OPEN),
  });
  const clearbit = definedOnly({
    apiKey: aliasedSetting(env, S.CLEARBIT_API_KEY, S.CLEARBIT_API_SECRET),
    baseUrl: read(S.CLEARBIT_API_URL),
  });
  const enrichment = definedOnly({
    provider: read(S.ENRICHMENT_PROVIDER),
    clearbit,
    timeoutMs: read(S.ENRICHMENT_TIMEOUT_MS),
    worker: read(S.ENRICHMENT_WORKER),
    concurrency: read(S.ENRICHMENT_CONCURRENCY),
    maxAttempts: read(S.ENRICHMENT_MAX_ATTEMPTS),
    retryBaseMs: read(S.ENRICHMENT_RETRY_BASE_MS),
    retryMaxMs: read(S.ENRICHMENT_RETRY_MAX_MS),
    pollIntervalMs: read(S.ENRICHMENT_POLL_MS),
    leaseMs: read(S.ENRICHMENT_LEASE_MS),
  });
  const loginThrottle = definedOnly({
    maxFailures: read(S.LOGIN_MAX_FAILURES),
    windowSeconds: read(S.LOGIN_WINDOW_SECONDS),
    lockoutSeconds: read(S.LOGIN_LOCKOUT_SECONDS),
    lockoutMaxSeconds: read(S.LOGIN_LOCKOUT_MAX_SECONDS),
    ipMaxFailures: read(S.LOGIN_IP_MAX_FAILURES),
    nameMaxFailures: read(S.LOGIN_NAME_MAX_FAILURES),
    accountLoginsPerMinute: read(S.LOGIN_ACCOUNT_PER_MINUTE),
    ipLoginsPerMinute: read(S.LOGIN_IP_PER_MINUTE),
  });
  return definedOnly({
    databaseUrl,
    jwtSecret: read(S.JWT_SECRET),
    jwtTtlSeconds: read(S.JWT_TTL),
    refreshTokenTtlSeconds: read(S.REFRESH_TOKEN_TTL),
    passwordMinLength: read(S.PASSWORD_MIN_LENGTH),
    passwordMinScore: read(S.PASSWORD_MIN_SCORE),
    scrypt: logN === undefined ? undefined : { logN },
    hunter,
    enrichment,
    providers: read(S.PLAZA_PROVIDERS),
    sqliteBusyTimeoutMs: read(S.SQLITE_BUSY_TIMEOUT_MS),
    databasePoolSize: read(S.DATABASE_POOL_SIZE),
    databaseQueueLimit: read(S.DATABASE_QUEUE_LIMIT),
    loginThrottle: Object.keys(loginThrottle).length === 0 ? undefined : loginThrottle,
    tokenVersionCacheMs: read(S.TOKEN_VERSION_CACHE_MS),
    inbox: inboxOptions(read(S.INBOX_KEEP), read(S.INBOX_KEEP_DAYS)),
    adminUsernames: read(S.ADMIN_USERNAMES),
    lastRequestFlushMs: read(S.LAST_REQUEST_FLUSH_MS),
  });
}

function inboxOptions(
  keep: number | undefined,
  keepDays: number | undefined,
): PlazaOptions['inbox'] {
  const inbox = definedOnly({ keep, keepDays });
  return Object.keys(inbox).length === 0 ? undefined : inbox;
}
