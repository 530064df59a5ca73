import type { Knex } from 'knex';
import { ConfigError } from '../errors.js';

export interface TokenVersionSettings {
  /**
   * How long a version read from the database is trusted, in milliseconds; 0 reads it for
   * every check. This process's own revocations apply at once whatever it is; another
   * process's apply here once the entry expires (see `TokenVersions`).
   */
  readonly cacheMs: number;
  /** Users whose version is kept at once; past it, the entry loaded longest ago goes. */
  readonly maxEntries: number;
}

export const DEFAULT_TOKEN_VERSION_SETTINGS: TokenVersionSettings = {
  cacheMs: 1000,
  maxEntries: 100_000,
};

/** Longer than this, a revocation made by another process would wait too long to apply. */
const MAX_CACHE_MS = 3_600_000;

/** The settings with defaults filled in; a value that cannot work throws a ConfigError. */
export function tokenVersionSettings(cacheMs?: number): TokenVersionSettings {
  const settings = {
    ...DEFAULT_TOKEN_VERSION_SETTINGS,
    ...(cacheMs === undefined ? {} : { cacheMs }),
  };
  if (
    !Number.isSafeInteger(settings.cacheMs) ||
    settings.cacheMs < 0 ||
    settings.cacheMs > MAX_CACHE_MS
  ) {
    throw new ConfigError(
      `tokenVersionCacheMs must be a whole number of milliseconds from 0 to ${MAX_CACHE_MS}; it is ${settings.cacheMs}.`,
    );
  }
  return settings;
}

interface Entry {
  /** Undefined: there is no such user (any more). */
  readonly version: number | undefined;
  readonly loadedAt: number;
  /** Orders what was learned: a read that started before a bump must not undo it. */
  readonly serial: number;
}

/**
 * Each user's current token version (`users.token_version`), asked on every authenticated
 * request and so kept in memory: a bounded map, each entry trusted for `cacheMs`, concurrent
 * misses for one user sharing one read.
 *
 * Within one process a revocation applies at once: whoever raises a version tells `learn`.
 * Processes sharing a database do not see each other's memory, so there a revoked token keeps
 * working for up to `cacheMs` (1 s by default) in the other processes, unless revocations
 * reach them through an event bus they share; keep `cacheMs` short when scaling out. A token
 * newer than the version held here is never refused on the cache's word: the database is read.
 *
 * @example const version = await versions.current(42) // undefined: no such user
 */
export class TokenVersions {
  readonly #db: Knex;
  readonly #settings: TokenVersionSettings;
  readonly #now: () => number;
  readonly #entries = new Map<number, Entry>();
  readonly #loading = new Map<number, Promise<number | undefined>>();
  #serial = 0;

  constructor(db: Knex, settings: TokenVersionSettings, now: () => number = Date.now) {
    this.#db = db;
    this.#settings = settings;
    this.#now = now;
  }

  /** The user's version, from memory while fresh; undefined when the user does not exist. */
  async current(userId: number): Promise<number | undefined> {
    const entry = this.#entries.get(userId);
    if (entry !== undefined && this.#now() - entry.loadedAt < this.#settings.cacheMs) {
      return entry.version;
    }
    let loading = this.#loading.get(userId);
    if (loading === undefined) {
      loading = this.#read(userId).finally(() => this.#loading.delete(userId));
      this.#loading.set(userId, loading);
    }
    return loading;
  }

  /** The user's version from the database, whatever memory holds. */
  reload(userId: number): Promise<number | undefined> {
    return this.#read(userId);
  }

  /**
   * Records a version raised by this process, or announced by another; never lowers one, and
   * never brings back a user known to be deleted (ids are not reused).
   */
  learn(userId: number, version: number): void {
    const known = this.#entries.get(userId);
    if (known !== undefined && (known.version === undefined || known.version > version)) return;
    this.#store(userId, version);
  }

  /**
   * Records that the user was deleted (here, or by another process that announced it): their
   * tokens are refused from now on, whatever a read already under way returns.
   *
   * @example versions.forget(42); await versions.current(42) // undefined
   */
  forget(userId: number): void {
    this.#store(userId, undefined);
  }

  async #read(userId: number): Promise<number | undefined> {
    const startedAfter = this.#serial;
    const row = (await this.#db('users').select('token_version').where('id', userId).first()) as
      { token_version: number | string } | undefined;
    const loaded = row === undefined ? undefined : Number(row.token_version);
    const known = this.#entries.get(userId);
    // Learned while the read was under way: a bump that committed after the read began, or
    // the user's deletion.
    if (
      known !== undefined &&
      loaded !== undefined &&
      known.serial > startedAfter &&
      (known.version === undefined || known.version > loaded)
    ) {
      return known.version;
    }
    this.#store(userId, loaded);
    return loaded;
  }

  #store(userId: number, version: number | undefined): void {
    this.#serial += 1;
    // Deleted first, so the map's order stays the order of loading.
    this.#entries.delete(userId);
    this.#entries.set(userId, { version, loadedAt: this.#now(), serial: this.#serial });
    if (this.#entries.size > this.#settings.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}
