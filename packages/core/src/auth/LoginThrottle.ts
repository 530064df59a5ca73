import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { selectRows } from '../adapters/db/selectRows.js';
import type { LoginThrottleOptions } from '../config.js';
import { ConfigError, tooManyLogins, tooManyRequests } from '../errors.js';
import { InMemoryRateLimitStore } from '../limits/InMemoryRateLimitStore.js';
import type { RateLimitStore } from '../limits/RateLimitStore.js';
import type { Logger } from '../logger.js';
import { clientNetwork } from '../shared/clientNetwork.js';
import { usernameKey } from '../users/User.js';

export interface LoginThrottleSettings {
  /**
   * Failed logins of one username from one client address (an IPv4 address or an IPv6 /64)
   * within the window that lock that pair; without an address, of the username. 0: off.
   */
  readonly maxFailures: number;
  readonly windowSeconds: number;
  /** The first lockout; each further one doubles it, up to `lockoutMaxSeconds`. */
  readonly lockoutSeconds: number;
  readonly lockoutMaxSeconds: number;
  /** Failed logins from one client address within the window that lock it; 0: no such limit. */
  readonly ipMaxFailures: number;
  /**
   * Failed logins of one username from all addresses within the window that slow the name:
   * while it is slowed, only an address with no failure for it in the window is let try
   * (once). 0: no such limit.
   */
  readonly nameMaxFailures: number;
  /** Password checks (right or wrong) of one username per minute, a burst of that size; 0: off. */
  readonly accountLoginsPerMinute: number;
  /** Password checks from one client address per minute, a burst of that size; 0: off. */
  readonly ipLoginsPerMinute: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = {
  maxFailures: 5,
  windowSeconds: 900,
  lockoutSeconds: 900,
  lockoutMaxSeconds: 86_400,
  ipMaxFailures: 50,
  nameMaxFailures: 100,
  accountLoginsPerMinute: 30,
  ipLoginsPerMinute: 300,
};

/** Settings that may be 0 (off); the others are at least 1. */
const MAY_BE_OFF = new Set([
  'maxFailures',
  'ipMaxFailures',
  'nameMaxFailures',
  'accountLoginsPerMinute',
  'ipLoginsPerMinute',
]);

/** The throttle's settings from `options`, defaults filled in; a value that cannot work throws. */
export function loginThrottleSettings(options: LoginThrottleOptions = {}): LoginThrottleSettings {
  const settings: LoginThrottleSettings = { ...DEFAULT_LOGIN_THROTTLE, ...options };
  for (const [name, value] of Object.entries(settings)) {
    const least = MAY_BE_OFF.has(name) ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) {
      throw new ConfigError(
        `loginThrottle.${name} must be a whole number of at least ${least}; it is ${value}.`,
      );
    }
  }
  if (settings.lockoutMaxSeconds < settings.lockoutSeconds) {
    throw new ConfigError(
      'loginThrottle.lockoutMaxSeconds must be at least loginThrottle.lockoutSeconds.',
    );
  }
  return settings;
}

/**
 * One counter a login attempt is charged to, and the limit that applies to it: `pair` is
 * one username from one address (`username` when the address is unknown), `ip` one address.
 */
interface Counter {
  readonly key: string;
  readonly kind: 'username' | 'pair' | 'ip';
  readonly maxFailures: number;
  /** The client's network, for the log: never the username. */
  readonly client?: string;
  /** The username's digest, on the counters of a username (`account` in the table). */
  readonly account?: string;
}

/** An attempt `admit` let through: the reservations it holds, to be settled by the outcome. */
export interface AdmittedLogin {
  /** Counters holding a reservation for this attempt. */
  readonly counters: readonly Counter[];
  /** The username's name-wide failure counter, if it is counted. */
  readonly name: Counter | undefined;
  /** Whose turn the password hash waits in: the client's network, else the username. */
  readonly lane: string;
  /** The username's account, whose hashes wait a few at a time whatever their lanes. */
  readonly account: string;
}

interface CounterRow {
  readonly failures: number | string;
  readonly lockouts: number | string;
  readonly locked_until: number | string | null;
}

const TABLE = 'throttle_counters';

/** How the counters name a username: never in clear. */
const usernameDigest = (username: string): string =>
  createHash('sha256').update(usernameKey(username)).digest('hex');

/**
 * Limits password checks, in the database so that every instance on it shares the limits:
 *
 * - Each attempt first *reserves* a failure on its counters (the username from this address,
 *   and the address), checking and counting in one statement, before any hashing; a counter
 *   whose reservations and failures reach its limit refuses the next ones (AUT_03). So at
 *   most the limit is ever hashed in a window, however many attempts arrive together. A
 *   success gives its reservation back (and clears the pair); a failure keeps it, and the
 *   one that reaches the limit locks the counter (lockouts doubling).
 * - "Lock the pair, slow the name": failures of a username from all addresses are counted
 *   too; past `nameMaxFailures` the name is slowed, and only addresses that have not failed
 *   for it in the window are let try, so its owner still gets in from their own address.
 * - Password checks of one username and from one address, right or wrong, are rate limited
 *   (RAT_01), so that one account or address cannot take everyone's hashing.
 *
 * @example const admitted = await throttle.admit('ada', '192.0.2.7'); … await throttle.failed(admitted)
 */
export class LoginThrottle {
  readonly #db: Knex;
  readonly #settings: LoginThrottleSettings;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #rates: RateLimitStore;
  /** Lockout lengths in ms: the first, doubled, …, until the longest; the last one repeats. */
  readonly #lockoutsMs: readonly number[];
  readonly #countFailure: string;
  readonly #lock: string;
  #lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(
    db: Knex,
    settings: LoginThrottleSettings,
    logger: Logger,
    now: () => number = Date.now,
    rates: RateLimitStore = new InMemoryRateLimitStore(),
  ) {
    this.#db = db;
    this.#settings = settings;
    this.#logger = logger;
    this.#now = now;
    this.#rates = rates;
    const longest = settings.lockoutMaxSeconds * 1000;
    const lockouts: number[] = [];
    for (let ms = settings.lockoutSeconds * 1000; ms < longest; ms *= 2) lockouts.push(ms);
    lockouts.push(longest);
    this.#lockoutsMs = lockouts;
    this.#countFailure = countFailureSql(lockouts.length);
    this.#lock = lockSql(lockouts.length);
  }

  /**
   * Reserves this attempt on its counters and takes it from the hashing rates; resolves
   * when the password may be checked. AUT_03 when the pair or the address is locked, or the
   * name is slowed and this address has failed for it; RAT_01 (retry in a second) when their
   * attempts are all taken by ones still being checked, or past a rate. Either way nothing
   * stays reserved, and no hashing was done.
   */
  async admit(username: string, clientIp?: string): Promise<AdmittedLogin> {
    const { maxFailures, ipMaxFailures, nameMaxFailures } = this.#settings;
    const digest = usernameDigest(username);
    const network = clientIp === undefined ? undefined : clientNetwork(clientIp);
    const now = this.#now();
    const name: Counter | undefined =
      network !== undefined && nameMaxFailures > 0
        ? {
            key: `name:${digest}`,
            kind: 'username',
            maxFailures: nameMaxFailures,
            account: digest,
          }
        : undefined;
    const slowedUntil = name === undefined ? 0 : await this.#lockedUntil(name.key);

    const counters: Counter[] = [];
    if (network !== undefined && ipMaxFailures > 0) {
      counters.push({
        key: `ip:${network}`,
        kind: 'ip',
        maxFailures: ipMaxFailures,
        client: network,
      });
    }
    if (maxFailures > 0) {
      counters.push(
        network === undefined
          ? { key: `user:${digest}`, kind: 'username', maxFailures, account: digest }
          : {
              key: `pair:${createHash('sha256').update(`${digest}/${network}`).digest('hex')}`,
              kind: 'pair',
              maxFailures,
              client: network,
              account: digest,
            },
      );
    }
    const reserved: Counter[] = [];
    for (const counter of counters) {
      // While the name is slowed, an address gets no attempt once it has failed for it.
      const limit = counter.kind === 'pair' && slowedUntil > now ? 1 : counter.maxFailures;
      if (await this.#reserve(counter, limit, now)) {
        reserved.push(counter);
        continue;
      }
      await this.#release(reserved);
      const lockedUntil = Math.max(
        await this.#lockedUntil(counter.key),
        counter.kind === 'pair' ? slowedUntil : 0,
      );
      // Not locked: its attempts are all taken by ones still being checked. Too many at once,
      // not (yet) too many failed.
      if (lockedUntil <= now) throw tooManyRequests(1);
      throw tooManyLogins(Math.max(1, Math.ceil((lockedUntil - now) / 1000)));
    }

    const wait = await this.#takeRates(digest, network, now);
    if (wait > 0) {
      await this.#release(reserved);
      throw tooManyRequests(wait);
    }
    const account = `user:${digest}`;
    return { counters: reserved, name, lane: network ?? account, account };
  }

  /** A failed login keeps its reservations: the ones at their limit lock; the name is counted. */
  async failed(admitted: AdmittedLogin): Promise<void> {
    const now = this.#now();
    for (const counter of admitted.counters) {
      const [row] = await selectRows<CounterRow>(
        this.#db,
        this.#lock,
        this.#lockBindings(counter, now),
      );
      if (row !== undefined) this.#logLockout(counter, row, now);
    }
    if (admitted.name !== undefined) {
      const row = await this.#countName(admitted.name, now);
      if (row !== undefined && Number(row.failures) === 0)
        this.#logLockout(admitted.name, row, now);
    }
    await this.#sweep(now);
  }

  /** A successful login clears the pair's count and history, and gives the address's back. */
  async succeeded(admitted: AdmittedLogin): Promise<void> {
    const pair = admitted.counters.filter((counter) => counter.kind !== 'ip');
    if (pair.length > 0) {
      await this.#db(TABLE)
        .whereIn(
          'key',
          pair.map((counter) => counter.key),
        )
        .delete();
    }
    await this.#release(admitted.counters.filter((counter) => counter.kind === 'ip'));
  }

  /** The password was never checked (the server was overloaded, say): nothing is counted. */
  async abandoned(admitted: AdmittedLogin): Promise<void> {
    await this.#release(admitted.counters);
  }

  /** Takes one password check from the account's and the address's rates; seconds to wait. */
  async #takeRates(digest: string, network: string | undefined, now: number): Promise<number> {
    const { accountLoginsPerMinute, ipLoginsPerMinute } = this.#settings;
    if (network !== undefined) {
      const wait = await this.#rates.take(`login:ip:${network}`, ipLoginsPerMinute, now);
      if (wait > 0) return wait;
    }
    return this.#rates.take(`login:user:${digest}`, accountLoginsPerMinute, now);
  }

  /** Reserves one attempt on the counter unless it is locked or at `limit`; true if it did. */
  async #reserve(counter: Counter, limit: number, now: number): Promise<boolean> {
    const rows = await selectRows<{ failures: number | string }>(this.#db, RESERVE_SQL, {
      key: counter.key,
      account: counter.account ?? null,
      now,
      limit,
      windowStartedBefore: now - this.#settings.windowSeconds * 1000,
      forgetBefore: now - this.#forgetAfterMs(),
    });
    return rows.length > 0;
  }

  /** Gives back the reservations of an attempt that was not checked, or that succeeded. */
  async #release(counters: readonly Counter[]): Promise<void> {
    if (counters.length === 0) return;
    await this.#db(TABLE)
      .whereIn(
        'key',
        counters.map((counter) => counter.key),
      )
      .andWhere('failures', '>', 0)
      .decrement('failures', 1);
  }

  async #lockedUntil(key: string): Promise<number> {
    const row = await this.#db(TABLE)
      .first<{ locked_until: number | string | null } | undefined>('locked_until')
      .where('key', key);
    return Number(row?.locked_until ?? 0);
  }

  #lockBindings(counter: Counter, now: number): Record<string, Knex.Value> {
    const bindings: Record<string, Knex.Value> = {
      key: counter.key,
      now,
      maxFailures: counter.maxFailures,
    };
    this.#lockoutsMs.forEach((ms, index) => {
      bindings[`lockedUntil${index}`] = now + ms;
    });
    return bindings;
  }

  #logLockout(counter: Counter, row: CounterRow, now: number): void {
    const seconds = Math.ceil((Number(row.locked_until) - now) / 1000);
    const client = counter.client === undefined ? {} : { client: counter.client };
    this.#logger.warn(
      { locked: counter.kind, ...client, lockouts: Number(row.lockouts), seconds },
      counter.key.startsWith('name:')
        ? 'too many failed logins: username slowed'
        : 'too many failed logins: locked out',
    );
  }

  async #countName(counter: Counter, now: number): Promise<CounterRow | undefined> {
    const { windowSeconds } = this.#settings;
    const lockedAtOnce = counter.maxFailures <= 1;
    const bindings: Record<string, Knex.Value> = {
      key: counter.key,
      account: counter.account ?? null,
      now,
      maxFailures: counter.maxFailures,
      windowStartedBefore: now - windowSeconds * 1000,
      forgetBefore: now - this.#forgetAfterMs(),
      firstFailures: lockedAtOnce ? 0 : 1,
      firstLockouts: lockedAtOnce ? 1 : 0,
      firstLockedUntil: lockedAtOnce ? now + (this.#lockoutsMs[0] ?? 0) : null,
    };
    this.#lockoutsMs.forEach((ms, index) => {
      bindings[`lockedUntil${index}`] = now + ms;
    });
    const [row] = await selectRows<CounterRow>(this.#db, this.#countFailure, bindings);
    return row;
  }

  /**
   * A counter untouched this long (after its last lockout ended) starts over, lockouts
   * included; the sweep deletes such counters.
   */
  #forgetAfterMs(): number {
    return Math.max(this.#settings.windowSeconds, this.#settings.lockoutMaxSeconds) * 1000;
  }

  /**
   * Deletes everything counted against `username` (its failures from every address, and its
   * password-check rate), inside `trx`: what deleting the account does, so that whoever
   * takes the name next starts afresh. Counters of an address stay: they are the address's.
   *
   * @example await throttle.forgetUsername(trx, 'ada')
   */
  async forgetUsername(trx: Knex, username: string): Promise<void> {
    const digest = usernameDigest(username);
    await trx(TABLE)
      .where('account', digest)
      .orWhereIn('key', [`user:${digest}`, `name:${digest}`])
      .delete();
    await trx('rate_limits').where('key', `login:user:${digest}`).delete();
  }

  /** At most once a window, deletes the counters that would start over anyway. */
  async #sweep(now: number): Promise<void> {
    if (now - this.#lastSweepAt < this.#settings.windowSeconds * 1000) return;
    this.#lastSweepAt = now;
    const forgetBefore = now - this.#forgetAfterMs();
    await this.#db(TABLE)
      .where('updated_at', '<=', forgetBefore)
      .andWhere((where) =>
        where.whereNull('locked_until').orWhere('locked_until', '<=', forgetBefore),
      )
      .delete();
  }
}

/** Quiet for long enough: the counter starts over, its lockouts forgotten. */
const FORGOTTEN = `(${TABLE}.updated_at <= :forgetBefore and (${TABLE}.locked_until is null or ${TABLE}.locked_until <= :forgetBefore))`;
const NEW_WINDOW = `(${FORGOTTEN} or ${TABLE}.window_started_at <= :windowStartedBefore)`;
/** Reservations and failures in the current window, before this attempt. */
const TAKEN = `(case when ${NEW_WINDOW} then 0 else ${TABLE}.failures end)`;

/**
 * The reservation, as one statement: counts the attempt unless the counter is locked or has
 * `limit` attempts in its window already, and returns a row only when it counted it. The
 * `WHERE` of `DO UPDATE` sees the row as it is once the conflicting row is locked, on SQLite
 * and PostgreSQL alike, so concurrent attempts, from this process or another, never get more
 * than `limit` reservations between them.
 */
const RESERVE_SQL = `insert into ${TABLE} (key, account, failures, window_started_at, locked_until, lockouts, updated_at)
values (:key, :account, 1, :now, null, 0, :now)
on conflict (key) do update set
  failures = ${TAKEN} + 1,
  window_started_at = case when ${NEW_WINDOW} then :now else ${TABLE}.window_started_at end,
  lockouts = case when ${FORGOTTEN} then 0 else ${TABLE}.lockouts end,
  updated_at = :now
where (${TABLE}.locked_until is null or ${TABLE}.locked_until <= :now) and ${TAKEN} < :limit
returning failures`;

/** The n-th lockout lasts lockedUntil(n-1): the first lockout length, doubled n-1 times, capped. */
function lockedUntilSql(lockouts: string, lockoutSteps: number): string {
  const steps = Array.from(
    { length: lockoutSteps - 1 },
    (_, index) => `when ${index} then cast(:lockedUntil${index} as bigint)`,
  ).join(' ');
  // Cast: PostgreSQL cannot tell a bare parameter's type inside CASE.
  const longest = `cast(:lockedUntil${lockoutSteps - 1} as bigint)`;
  return steps === '' ? longest : `(case ${lockouts} ${steps} else ${longest} end)`;
}

/**
 * After a failure: locks the counter if its failures (with the reservations still being
 * checked) have reached the limit and it is not locked yet; returns a row only then.
 */
function lockSql(lockoutSteps: number): string {
  return `update ${TABLE} set
  failures = 0,
  window_started_at = :now,
  lockouts = lockouts + 1,
  locked_until = ${lockedUntilSql('lockouts', lockoutSteps)},
  updated_at = :now
where key = :key and failures >= :maxFailures and (locked_until is null or locked_until <= :now)
returning failures, lockouts, locked_until`;
}

/**
 * One statement that counts a failure of the name and, at the limit, slows (locks) it. In `DO UPDATE`,
 * `throttle_counters.x` is the row as it was, on SQLite (3.35+) and PostgreSQL alike.
 */
function countFailureSql(lockoutSteps: number): string {
  const row = TABLE;
  // Quiet for long enough: the counter starts over, its lockouts forgotten.
  const forgotten = `(${row}.updated_at <= :forgetBefore and (${row}.locked_until is null or ${row}.locked_until <= :forgetBefore))`;
  const newWindow = `(${forgotten} or ${row}.window_started_at <= :windowStartedBefore)`;
  const failures = `(case when ${newWindow} then 1 else ${row}.failures + 1 end)`;
  const atLimit = `(${failures} >= :maxFailures)`;
  const lockouts = `(case when ${forgotten} then 0 else ${row}.lockouts end)`;
  const lockedUntil = lockedUntilSql(lockouts, lockoutSteps);
  return `insert into ${row} (key, account, failures, window_started_at, locked_until, lockouts, updated_at)
values (:key, :account, :firstFailures, :now, :firstLockedUntil, :firstLockouts, :now)
on conflict (key) do update set
  failures = case when ${atLimit} then 0 else ${failures} end,
  window_started_at = case when ${newWindow} or ${atLimit} then :now else ${row}.window_started_at end,
  lockouts = ${lockouts} + case when ${atLimit} then 1 else 0 end,
  locked_until = case when ${atLimit} then ${lockedUntil} else ${row}.locked_until end,
  updated_at = :now
returning failures, lockouts, locked_until`;
}
