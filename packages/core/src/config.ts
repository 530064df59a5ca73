import { ConfigError } from './errors.js';
import type { EmailVerifier } from './users/EmailVerifier.js';
import type { Logger } from './logger.js';
import type { EventBus } from './events/EventBus.js';
import type { ProfileEnricher } from './enrichment/ProfileEnricher.js';
import type { RateLimitStore } from './limits/RateLimitStore.js';

export interface ScryptCost {
  /** log2 of scrypt's N (CPU and memory cost). */
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/** OWASP's recommendation for scrypt: N=2^17, r=8, p=1 (128 MiB, about 0.3 s a hash). */
export const OWASP_SCRYPT_COST: ScryptCost = { logN: 17, r: 8, p: 1 };

export interface HunterOptions {
  readonly apiKey?: string;
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
  /** Accept sign-ups, marked `unverified`, while Hunter cannot answer. Off by default. */
  readonly failOpen?: boolean;
}

export type EnrichmentProviderName = 'clearbit' | 'hunter' | 'fake' | 'none';
export const ENRICHMENT_PROVIDERS: readonly EnrichmentProviderName[] = [
  'clearbit',
  'hunter',
  'fake',
  'none',
];

export interface ClearbitOptions {
  readonly apiKey?: string;
  readonly baseUrl?: string;
}

/** Profile enrichment: which provider, and how the job worker runs. */
export interface EnrichmentOptions {
  /**
   * Default: `fake` with `providers: 'fake'`, else `clearbit` when a Clearbit key is set,
   * else `none`. `hunter` uses Hunter's people/find with the Hunter key.
   */
  readonly provider?: EnrichmentProviderName;
  readonly clearbit?: ClearbitOptions;
  /** A provider of your own; wins over `provider`. */
  readonly enricher?: ProfileEnricher;
  /** Limit for one provider request, default 10000 ms. */
  readonly timeoutMs?: number;
  /** Run the job worker in this process (default true). */
  readonly worker?: boolean;
  /** Jobs run at once (default 4). */
  readonly concurrency?: number;
  /** Tries before a job that keeps failing gives up (default 5). */
  readonly maxAttempts?: number;
  /** First retry delay, doubled each try, with jitter (default 2000 ms). */
  readonly retryBaseMs?: number;
  /** Longest retry delay (default 300000 ms). */
  readonly retryMaxMs?: number;
  /** How long a job may keep waiting on "still looking" or rate limits (default 1 hour). */
  readonly maxPendingMs?: number;
  /** How often the worker looks at the queue when nothing woke it (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** How long a claimed job is held before another worker may take it (default 60000 ms). */
  readonly leaseMs?: number;
}

/**
 * Failed-login counting, kept in the database so that it holds across restarts and
 * instances. Defaults: 5 failures of one username from one client (an IPv4 address or an
 * IPv6 /64) within 15 minutes lock that username for that client for 15 minutes, doubling
 * with each further lockout up to a day; 50 failures from one client lock the client out
 * the same way; 100 failures of one username from all clients slow it: then only clients
 * that have not failed for it in the window get an attempt. Password checks, right or
 * wrong, are also limited to 30 a minute per username and 300 a minute per client (RAT_01).
 */
export interface LoginThrottleOptions {
  /**
   * Failed logins of one username from one client, within the window, that lock that pair;
   * without a client address, of the username (default 5; 0: off).
   */
  readonly maxFailures?: number;
  /** How long failures are counted together (default 900 s). */
  readonly windowSeconds?: number;
  /** The first lockout; each further one doubles it (default 900 s). */
  readonly lockoutSeconds?: number;
  /** The longest lockout (default 86400 s). */
  readonly lockoutMaxSeconds?: number;
  /** Failed logins from one client address, within the window, that lock it (default 50; 0: off). */
  readonly ipMaxFailures?: number;
  /** Failed logins of one username from all clients, within the window, that slow it (default 100; 0: off). */
  readonly nameMaxFailures?: number;
  /** Password checks of one username per minute, right or wrong (default 30; 0: off). */
  readonly accountLoginsPerMinute?: number;
  /** Password checks from one client address per minute, right or wrong (default 300; 0: off). */
  readonly ipLoginsPerMinute?: number;
}

/**
 * Everything `createPlaza` can be told. Every option has a working default.
 *
 * @example await createPlaza({ databaseUrl: 'sqlite::memory:', jwtSecret: process.env.JWT_SECRET })
 */
export interface PlazaOptions {
  /** `sqlite:PATH`, `sqlite::memory:` or `postgres://…`. Default `sqlite:./data/plaza.sqlite`. */
  readonly databaseUrl?: string;
  /** HS256 key of at least 32 bytes. Default: generated once and kept beside the SQLite file. */
  readonly jwtSecret?: string;
  readonly jwtTtlSeconds?: number;
  readonly passwordMinLength?: number;
  readonly passwordMaxLength?: number;
  /**
   * The zxcvbn score (0–4) a password must reach; default 2, which the original service's
   * random 8-character passwords of lowercase letters and digits reach. One holding the
   * user's username or email needs at least 3 whatever this says.
   */
  readonly passwordMinScore?: number;
  readonly scrypt?: Partial<ScryptCost>;
  readonly hunter?: HunterOptions;
  /** `fake` swaps Hunter for a deterministic offline stand-in. */
  readonly providers?: 'real' | 'fake';
  /** Replaces the configured verifier (tests, or a provider of your own). */
  readonly emailVerifier?: EmailVerifier;
  readonly enrichment?: EnrichmentOptions;
  readonly sqliteBusyTimeoutMs?: number;
  /** PostgreSQL: the most connections this instance opens, besides one for events (default 10). */
  readonly databasePoolSize?: number;
  /**
   * Queries that may wait for a database connection at once (default 500); past it a request
   * gets OFF_01 at once instead of queuing.
   */
  readonly databaseQueueLimit?: number;
  /** Failed-login limits (AUT_03); see `LoginThrottleOptions`. */
  readonly loginThrottle?: LoginThrottleOptions;
  /**
   * How long a user's token version, once read, is trusted without reading it again
   * (default 1000 ms; 0: read on every authenticated request). Revocations made by this
   * process apply at once, and on PostgreSQL so do other instances' (the event bus carries
   * them); otherwise one made by another process applies here only once this has passed.
   */
  readonly tokenVersionCacheMs?: number;
  /**
   * Replaces the event bus. Default: in-process on SQLite; on PostgreSQL, LISTEN/NOTIFY
   * between every instance on the database.
   */
  readonly eventBus?: EventBus;
  /**
   * Where the request-rate buckets (the server's RAT_01 limits) live: `database`, shared by
   * every instance on the database; `memory`, this process only (faster); or a store of your
   * own. Default: `database` on PostgreSQL, `memory` on SQLite.
   */
  readonly rateLimitStore?: 'memory' | 'database' | RateLimitStore;
  readonly logger?: Logger;
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/plaza.sqlite';
export const DEFAULT_JWT_TTL_SECONDS = 3600;
export const DEFAULT_PASSWORD_MIN_LENGTH = 8;
export const DEFAULT_PASSWORD_MAX_LENGTH = 256;
export const DEFAULT_PASSWORD_MIN_SCORE = 2;
export const DEFAULT_HUNTER_URL = 'https://api.hunter.io';
export const DEFAULT_CLEARBIT_URL = 'https://person.clearbit.com';
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5000;
export const MIN_JWT_SECRET_BYTES = 32;

export type DatabaseLocation =
  | { readonly client: 'sqlite'; readonly filename: string }
  | {
      readonly client: 'postgres';
      /** The URL without Plaza's own `schema` parameter, as node-postgres takes it. */
      readonly connectionString: string;
      /** Where Plaza's tables live (`?schema=NAME`, default `public`); created when missing. */
      readonly schema: string;
    };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Reads `DATABASE_URL`: `sqlite:PATH`, `sqlite::memory:`, `postgres://…` or `postgresql://…`. */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (filename === '')
      throw new ConfigError(
        'DATABASE_URL "sqlite:" needs a file path, as in sqlite:./data/plaza.sqlite.',
      );
    return { client: 'sqlite', filename };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return parsePostgresUrl(url);
  throw new ConfigError(
    'DATABASE_URL must start with sqlite: (as in sqlite:./data/plaza.sqlite or sqlite::memory:) or postgres://.',
  );
}

function parsePostgresUrl(url: string): DatabaseLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(
      'DATABASE_URL is not a valid URL; it should look like postgres://user:password@host:5432/plaza.',
    );
  }
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(
      `The schema in DATABASE_URL must be lower-case letters, digits and underscores, starting with a letter; it is "${schema}".`,
    );
  }
  parsed.searchParams.delete('schema');
  return { client: 'postgres', connectionString: parsed.toString(), schema };
}

type Env = Readonly<Record<string, string | undefined>>;

const present = (env: Env, key: string): string | undefined => {
  const value = env[key]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/** Parses a whole number in [min, max] from an environment value, or explains why not. */
export function integerSetting(
  env: Env,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const value = present(env, key);
  if (value === undefined) return undefined;
  const number = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new ConfigError(`${key} must be a whole number from ${min} to ${max}; it is "${value}".`);
  }
  return number;
}

export function booleanSetting(env: Env, key: string): boolean | undefined {
  const value = present(env, key)?.toLowerCase();
  if (value === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${key} must be true or false; it is "${value}".`);
}

/** A key that also goes by the name the original service gave it; both set must agree. */
function aliasedSetting(env: Env, key: string, alias: string): string | undefined {
  const value = present(env, key);
  const aliased = present(env, alias);
  if (value !== undefined && aliased !== undefined && value !== aliased) {
    throw new ConfigError(`${key} and ${alias} name the same setting but differ; set one of them.`);
  }
  return value ?? aliased;
}

function choiceSetting<T extends string>(
  env: Env,
  key: string,
  choices: readonly T[],
): T | undefined {
  const value = present(env, key);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new ConfigError(`${key} must be one of ${choices.join(', ')}; it is "${value}".`);
  }
  return value as T;
}

/** Drops the keys whose value is undefined, as `exactOptionalPropertyTypes` wants. */
export function definedOnly<T extends object>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/**
 * Reads the core's settings from environment-style keys (SPEC's configuration table).
 * Throws a ConfigError naming the key when a value cannot work.
 *
 * @example const plaza = await createPlaza({ ...plazaOptionsFromEnv(process.env), logger })
 */
export function plazaOptionsFromEnv(env: Env): PlazaOptions {
  const databaseUrl = present(env, 'DATABASE_URL');
  if (databaseUrl !== undefined) parseDatabaseUrl(databaseUrl);
  const logN = integerSetting(env, 'SCRYPT_LOG_N', 10, 22);
  const hunter = definedOnly({
    apiKey: present(env, 'HUNTER_API_KEY'),
    baseUrl: present(env, 'HUNTER_API_URL'),
    timeoutMs: integerSetting(env, 'HUNTER_TIMEOUT_MS', 100, 60_000),
    failOpen: booleanSetting(env, 'HUNTER_FAIL_OPEN'),
  });
  const clearbit = definedOnly({
    apiKey: aliasedSetting(env, 'CLEARBIT_API_KEY', 'CLEARBIT_API_SECRET'),
    baseUrl: present(env, 'CLEARBIT_API_URL'),
  });
  const enrichment = definedOnly({
    provider: choiceSetting(env, 'ENRICHMENT_PROVIDER', ENRICHMENT_PROVIDERS),
    clearbit,
    timeoutMs: integerSetting(env, 'ENRICHMENT_TIMEOUT_MS', 100, 120_000),
    worker: booleanSetting(env, 'ENRICHMENT_WORKER'),
    concurrency: integerSetting(env, 'ENRICHMENT_CONCURRENCY', 1, 256),
    maxAttempts: integerSetting(env, 'ENRICHMENT_MAX_ATTEMPTS', 1, 100),
    retryBaseMs: integerSetting(env, 'ENRICHMENT_RETRY_BASE_MS', 1, 3_600_000),
    retryMaxMs: integerSetting(env, 'ENRICHMENT_RETRY_MAX_MS', 1, 86_400_000),
    pollIntervalMs: integerSetting(env, 'ENRICHMENT_POLL_MS', 10, 60_000),
    leaseMs: integerSetting(env, 'ENRICHMENT_LEASE_MS', 100, 3_600_000),
  });
  const loginThrottle = definedOnly({
    maxFailures: integerSetting(env, 'LOGIN_MAX_FAILURES', 0, 1_000_000),
    windowSeconds: integerSetting(env, 'LOGIN_WINDOW_SECONDS', 1, 31 * 24 * 3600),
    lockoutSeconds: integerSetting(env, 'LOGIN_LOCKOUT_SECONDS', 1, 31 * 24 * 3600),
    lockoutMaxSeconds: integerSetting(env, 'LOGIN_LOCKOUT_MAX_SECONDS', 1, 366 * 24 * 3600),
    ipMaxFailures: integerSetting(env, 'LOGIN_IP_MAX_FAILURES', 0, 1_000_000),
    nameMaxFailures: integerSetting(env, 'LOGIN_NAME_MAX_FAILURES', 0, 1_000_000),
    accountLoginsPerMinute: integerSetting(env, 'LOGIN_ACCOUNT_PER_MINUTE', 0, 1_000_000),
    ipLoginsPerMinute: integerSetting(env, 'LOGIN_IP_PER_MINUTE', 0, 1_000_000),
  });
  return definedOnly({
    databaseUrl,
    jwtSecret: present(env, 'JWT_SECRET'),
    jwtTtlSeconds: integerSetting(env, 'JWT_TTL', 60, 31 * 24 * 3600),
    passwordMinLength: integerSetting(env, 'PASSWORD_MIN_LENGTH', 8, 64),
    passwordMinScore: integerSetting(env, 'PASSWORD_MIN_SCORE', 0, 4),
    scrypt: logN === undefined ? undefined : { logN },
    hunter,
    enrichment,
    providers: choiceSetting(env, 'PLAZA_PROVIDERS', ['real', 'fake'] as const),
    sqliteBusyTimeoutMs: integerSetting(env, 'SQLITE_BUSY_TIMEOUT_MS', 0, 600_000),
    databasePoolSize: integerSetting(env, 'DATABASE_POOL_SIZE', 1, 1000),
    databaseQueueLimit: integerSetting(env, 'DATABASE_QUEUE_LIMIT', 1, 1_000_000),
    loginThrottle: Object.keys(loginThrottle).length === 0 ? undefined : loginThrottle,
    tokenVersionCacheMs: integerSetting(env, 'TOKEN_VERSION_CACHE_MS', 0, 3_600_000),
  });
}
