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
  DEFAULT_PASSWORD_MIN_LENGTH,
  DEFAULT_PASSWORD_MIN_SCORE,
  DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
  OWASP_SCRYPT_COST,
} from './config.js';
import { DEFAULT_WORKER_SETTINGS } from './enrichment/workerSettings.js';

/** One configuration key, as help texts describe it. */
export interface SettingDescription {
  readonly key: string;
  /** What applies while the key is unset. */
  readonly default: string;
  /** One line. */
  readonly meaning: string;
}

const worker = DEFAULT_WORKER_SETTINGS;
const throttle = DEFAULT_LOGIN_THROTTLE;

/**
 * Every key `plazaOptionsFromEnv` reads, with its default and meaning (a test holds the two
 * together).
 *
 * @example PLAZA_SETTINGS.find((setting) => setting.key === 'JWT_TTL')?.default // '3600'
 */
export const PLAZA_SETTINGS: readonly SettingDescription[] = [
  {
    key: 'DATABASE_URL',
    default: DEFAULT_DATABASE_URL,
    meaning: 'sqlite:PATH, sqlite::memory:, or postgres://user:password@host:5432/db[?schema=NAME]',
  },
  {
    key: 'DATABASE_POOL_SIZE',
    default: String(DEFAULT_POSTGRES_POOL_SIZE),
    meaning: 'PostgreSQL: the most connections one instance opens (plus one for events)',
  },
  {
    key: 'DATABASE_QUEUE_LIMIT',
    default: String(DEFAULT_DATABASE_QUEUE_LIMIT),
    meaning: 'queries waiting for a database connection; past it a request gets OFF_01 at once',
  },
  {
    key: 'SQLITE_BUSY_TIMEOUT_MS',
    default: String(DEFAULT_SQLITE_BUSY_TIMEOUT_MS),
    meaning: 'how long a write waits for a locked SQLite database before OFF_01',
  },
  {
    key: 'JWT_SECRET',
    default: 'generated once, kept beside the SQLite file (mode 0600) or in PostgreSQL',
    meaning: 'HS256 key, at least 32 bytes, or the server refuses to start',
  },
  {
    key: 'JWT_TTL',
    default: String(DEFAULT_JWT_TTL_SECONDS),
    meaning: 'token lifetime in seconds',
  },
  {
    key: 'TOKEN_VERSION_CACHE_MS',
    default: String(DEFAULT_TOKEN_VERSION_SETTINGS.cacheMs),
    meaning: "how long a user's token version, once read, is trusted (0: read per request)",
  },
  {
    key: 'HUNTER_API_KEY',
    default: 'none (email verification skipped)',
    meaning: 'Hunter email-verifier key',
  },
  { key: 'HUNTER_API_URL', default: DEFAULT_HUNTER_URL, meaning: "Hunter's base URL" },
  {
    key: 'HUNTER_TIMEOUT_MS',
    default: '5000',
    meaning: 'per-request timeout; one sign-up waits at most max(10 s, 2 × this)',
  },
  {
    key: 'HUNTER_FAIL_OPEN',
    default: 'false',
    meaning: 'true: accept sign-ups (marked unverified) while Hunter is down, instead of EXT_01',
  },
  {
    key: 'PLAZA_PROVIDERS',
    default: 'real',
    meaning: 'fake: built-in offline stand-ins for Hunter and Clearbit',
  },
  {
    key: 'ENRICHMENT_PROVIDER',
    default: 'clearbit with a Clearbit key, else none; fake with PLAZA_PROVIDERS=fake',
    meaning: "clearbit, hunter (Hunter's people/find), fake, or none",
  },
  {
    key: 'CLEARBIT_API_KEY',
    default: 'none (profiles are not enriched)',
    meaning: 'Clearbit secret key (sk_…)',
  },
  {
    key: 'CLEARBIT_API_SECRET',
    default: 'none',
    meaning: "the original service's name for CLEARBIT_API_KEY; if both are set, they must agree",
  },
  { key: 'CLEARBIT_API_URL', default: DEFAULT_CLEARBIT_URL, meaning: "Clearbit's base URL" },
  {
    key: 'ENRICHMENT_TIMEOUT_MS',
    default: '10000',
    meaning: 'limit for one provider request, body included',
  },
  {
    key: 'ENRICHMENT_CONCURRENCY',
    default: String(worker.concurrency),
    meaning: 'enrichment jobs run at once by this process',
  },
  {
    key: 'ENRICHMENT_MAX_ATTEMPTS',
    default: String(worker.maxAttempts),
    meaning: 'tries before a job that keeps failing gives up with a notice',
  },
  {
    key: 'ENRICHMENT_RETRY_BASE_MS',
    default: String(worker.retryBaseMs),
    meaning: 'backoff after a failed try, doubled each try, with jitter',
  },
  {
    key: 'ENRICHMENT_RETRY_MAX_MS',
    default: String(worker.retryMaxMs),
    meaning: 'the longest backoff',
  },
  {
    key: 'ENRICHMENT_POLL_MS',
    default: String(worker.pollIntervalMs),
    meaning: 'how often the worker looks for due jobs when nothing woke it',
  },
  {
    key: 'ENRICHMENT_LEASE_MS',
    default: `${worker.leaseMs}, at least 3 × ENRICHMENT_TIMEOUT_MS`,
    meaning: "how long a claimed job is held; a dead worker's job is taken over after it",
  },
  {
    key: 'ENRICHMENT_WORKER',
    default: 'true',
    meaning: 'false: this process queues jobs but leaves running them to another',
  },
  {
    key: 'SCRYPT_LOG_N',
    default: String(OWASP_SCRYPT_COST.logN),
    meaning: 'scrypt cost: N = 2^value, r = 8, p = 1; hashes are upgraded at the next login',
  },
  {
    key: 'PASSWORD_MIN_LENGTH',
    default: String(DEFAULT_PASSWORD_MIN_LENGTH),
    meaning: 'minimum password length (NIST suggests 15 for single-factor)',
  },
  {
    key: 'PASSWORD_MIN_SCORE',
    default: String(DEFAULT_PASSWORD_MIN_SCORE),
    meaning: 'minimum zxcvbn strength score, 0-4 (3 for passwords holding the username or email)',
  },
  {
    key: 'LOGIN_MAX_FAILURES',
    default: String(throttle.maxFailures),
    meaning:
      'failed logins of one username from one client within the window that lock that pair: AUT_03 (0: off)',
  },
  {
    key: 'LOGIN_WINDOW_SECONDS',
    default: String(throttle.windowSeconds),
    meaning: 'how long failed logins are counted together',
  },
  {
    key: 'LOGIN_LOCKOUT_SECONDS',
    default: String(throttle.lockoutSeconds),
    meaning: 'the first lockout, doubled at each further one',
  },
  {
    key: 'LOGIN_LOCKOUT_MAX_SECONDS',
    default: String(throttle.lockoutMaxSeconds),
    meaning: 'the longest lockout',
  },
  {
    key: 'LOGIN_IP_MAX_FAILURES',
    default: String(throttle.ipMaxFailures),
    meaning: 'failed logins from one client address within the window that lock it (0: off)',
  },
  {
    key: 'LOGIN_NAME_MAX_FAILURES',
    default: String(throttle.nameMaxFailures),
    meaning:
      'failed logins of one username from all clients within the window that slow it: then only clients that never failed for it may try (0: off)',
  },
  {
    key: 'LOGIN_ACCOUNT_PER_MINUTE',
    default: String(throttle.accountLoginsPerMinute),
    meaning: 'password checks (logins, right or wrong) of one username per minute: RAT_01 (0: off)',
  },
  {
    key: 'LOGIN_IP_PER_MINUTE',
    default: String(throttle.ipLoginsPerMinute),
    meaning:
      'password checks (logins, right or wrong) from one client address per minute: RAT_01 (0: off)',
  },
];
