import { ConfigError } from './errors.js';
import type { Knex } from 'knex';
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
  /**
   * Your app's knex instance (client `pg` or `sqlite3`), instead of `databaseUrl`; Plaza does
   * not close it. See docs/embedding.md.
   */
  readonly knex?: Knex;
  /** With a PostgreSQL `knex`: the schema Plaza's tables live in (default `public`). */
  readonly schema?: string;
  /**
   * false: Plaza does not migrate its tables at start, and refuses to start if they are not
   * up to date; your migration step runs `migratePlaza(knex)`. Default true.
   */
  readonly migrate?: boolean;
  /** HS256 key of at least 32 bytes. Default: generated once and kept beside the SQLite file. */
  readonly jwtSecret?: string;
  readonly jwtTtlSeconds?: number;
  /**
   * How long a session lasts without a refresh, in seconds (default 2592000: 30 days); each
   * refresh starts it again.
   */
  readonly refreshTokenTtlSeconds?: number;
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
   * How long a user's token version (and a session's state), once read, is trusted without
   * reading it again
   * (default 1000 ms; 0: read on every authenticated request). Revocations made by this
   * process apply at once, and on PostgreSQL so do other instances' (the event bus carries
   * them); otherwise one made by another process applies here only once this has passed.
   */
  readonly tokenVersionCacheMs?: number;
  /**
   * How much of each person's inbox is kept: the newest `keep` entries (default 1,000), none
   * older than `keepDays` (default 90). Pruned as entries come, no timer.
   */
  readonly inbox?: { readonly keep?: number; readonly keepDays?: number };
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
  /**
   * Usernames (matched as logins match them: any case or width) whose accounts may see
   * anyone's activity (`plaza.activity.of(callerId, { user_id })`). Default: none. A listed
   * name nobody has signed up with yet is anyone's to take: list taken names only.
   */
  readonly adminUsernames?: readonly string[];
  /**
   * How often each person's last authenticated request is written (default 60000 ms: at most
   * one write per person a minute, many people per statement); between flushes it is kept in
   * memory, and written at `close()`.
   */
  readonly lastRequestFlushMs?: number;
  readonly logger?: Logger;
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/plaza.sqlite';
export const DEFAULT_JWT_TTL_SECONDS = 3600;
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
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

/** Drops the keys whose value is undefined, as `exactOptionalPropertyTypes` wants. */
export function definedOnly<T extends object>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
