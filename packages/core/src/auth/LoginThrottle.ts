import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { selectRows } from '../adapters/db/selectRows.js';
import type { LoginThrottleOptions } from '../config.js';
import { ConfigError, tooManyLogins } from '../errors.js';
import type { Logger } from '../logger.js';
import { clientNetwork } from '../shared/clientNetwork.js';
import { usernameKey } from '../users/User.js';

export interface LoginThrottleSettings {
  /** Failed logins of one username within the window that lock it; 0: no such limit. */
  readonly maxFailures: number;
  readonly windowSeconds: number;
  /** The first lockout; each further one doubles it, up to `lockoutMaxSeconds`. */
  readonly lockoutSeconds: number;
  readonly lockoutMaxSeconds: number;
  /** Failed logins from one client address within the window that lock it; 0: no such limit. */
  readonly ipMaxFailures: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = {
  maxFailures: 5,
  windowSeconds: 900,
  lockoutSeconds: 900,
  lockoutMaxSeconds: 86_400,
  ipMaxFailures: 50,
};

/** The throttle's settings from `options`, defaults filled in; a value that cannot work throws. */
export function loginThrottleSettings(options: LoginThrottleOptions = {}): LoginThrottleSettings {
  const settings: LoginThrottleSettings = { ...DEFAULT_LOGIN_THROTTLE, ...options };
  for (const [name, value] of Object.entries(settings)) {
    const least = name === 'maxFailures' || name === 'ipMaxFailures' ? 0 : 1;
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

/** One counter a login attempt is charged to, and the limit that applies to it. */
interface Counter {
  readonly key: string;
  readonly kind: 'username' | 'ip';
  readonly maxFailures: number;
}

/** What `admit` found out, for `failed` and `succeeded` to act on. */
export interface AdmittedLogin {
  readonly counters: readonly Counter[];
  /** The username already has a counter, which a success must clear. */
  readonly usernameCounted: boolean;
}

interface CounterRow {
  readonly failures: number | string;
  readonly lockouts: number | string;
  readonly locked_until: number | string | null;
}

const TABLE = 'throttle_counters';

/**
 * Counts failed logins per username and per client address in the database, and refuses
 * (AUT_03, with a retry delay) the attempts that come while one of them is locked out.
 * Counts are changed by single `INSERT … ON CONFLICT DO UPDATE` statements, so concurrent
 * failures are all counted, by this process or another on the same database.
 *
 * @example const admitted = await throttle.admit('ada', '192.0.2.7'); … await throttle.failed(admitted)
 */
export class LoginThrottle {
  readonly #db: Knex;
  readonly #settings: LoginThrottleSettings;
  readonly #logger: Logger;
  readonly #now: () => number;
  /** Lockout lengths in ms: the first, doubled, …, until the longest; the last one repeats. */
  readonly #lockoutsMs: readonly number[];
  readonly #countFailure: string;
  #lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(
    db: Knex,
    settings: LoginThrottleSettings,
    logger: Logger,
    now: () => number = Date.now,
  ) {
    this.#db = db;
    this.#settings = settings;
    this.#logger = logger;
    this.#now = now;
    const longest = settings.lockoutMaxSeconds * 1000;
    const lockouts: number[] = [];
    for (let ms = settings.lockoutSeconds * 1000; ms < longest; ms *= 2) lockouts.push(ms);
    lockouts.push(longest);
    this.#lockoutsMs = lockouts;
    this.#countFailure = countFailureSql(lockouts.length);
  }

  /**
   * Resolves when neither the username nor the client is locked out; AUT_03 otherwise.
   * Called before the password is checked, so a locked account costs no hashing.
   */
  async admit(username: string, clientIp?: string): Promise<AdmittedLogin> {
    const counters = this.#countersOf(username, clientIp);
    if (counters.length === 0) return { counters, usernameCounted: false };
    const rows = await this.#db(TABLE)
      .select<Array<{ key: string; locked_until: number | string | null }>>('key', 'locked_until')
      .whereIn(
        'key',
        counters.map((counter) => counter.key),
      );
    const now = this.#now();
    const lockedUntil = Math.max(0, ...rows.map((row) => Number(row.locked_until ?? 0)));
    if (lockedUntil > now) throw tooManyLogins(Math.max(1, Math.ceil((lockedUntil - now) / 1000)));
    const usernameKeyOf = counters.find((counter) => counter.kind === 'username')?.key;
    return { counters, usernameCounted: rows.some((row) => row.key === usernameKeyOf) };
  }

  /** Counts a failed login against the username and the client; locks them at their limits. */
  async failed(admitted: AdmittedLogin): Promise<void> {
    const now = this.#now();
    for (const counter of admitted.counters) {
      const row = await this.#count(counter, now);
      if (row !== undefined && Number(row.failures) === 0) {
        const seconds = Math.ceil((Number(row.locked_until) - now) / 1000);
        this.#logger.warn(
          {
            locked: counter.kind,
            ...(counter.kind === 'ip' ? { client: counter.key.slice('ip:'.length) } : {}),
            lockouts: Number(row.lockouts),
            seconds,
          },
          'too many failed logins: locked out',
        );
      }
    }
    await this.#sweep(now);
  }

  /** A successful login clears the username's count (the client's stays). */
  async succeeded(admitted: AdmittedLogin): Promise<void> {
    if (!admitted.usernameCounted) return;
    const counter = admitted.counters.find((candidate) => candidate.kind === 'username');
    if (counter !== undefined) await this.#db(TABLE).where('key', counter.key).delete();
  }

  #countersOf(username: string, clientIp: string | undefined): Counter[] {
    const { maxFailures, ipMaxFailures } = this.#settings;
    const counters: Counter[] = [];
    if (maxFailures > 0) {
      // Hashed: people type their password into the username field, and an unknown
      // username is counted too.
      const digest = createHash('sha256').update(usernameKey(username)).digest('hex');
      counters.push({ key: `user:${digest}`, kind: 'username', maxFailures });
    }
    const network = clientIp === undefined ? undefined : clientNetwork(clientIp);
    if (ipMaxFailures > 0 && network !== undefined) {
      counters.push({ key: `ip:${network}`, kind: 'ip', maxFailures: ipMaxFailures });
    }
    return counters;
  }

  async #count(counter: Counter, now: number): Promise<CounterRow | undefined> {
    const { windowSeconds } = this.#settings;
    const lockedAtOnce = counter.maxFailures <= 1;
    const bindings: Record<string, Knex.Value> = {
      key: counter.key,
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

/**
 * One statement that counts a failure and, at the limit, locks the counter. In `DO UPDATE`,
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
  // The n-th lockout lasts lockedUntil(n-1): the first lockout length, doubled n-1 times, capped.
  const steps = Array.from(
    { length: lockoutSteps - 1 },
    (_, index) => `when ${index} then cast(:lockedUntil${index} as bigint)`,
  ).join(' ');
  // Cast: PostgreSQL cannot tell a bare parameter's type inside CASE.
  const longest = `cast(:lockedUntil${lockoutSteps - 1} as bigint)`;
  const lockedUntil = steps === '' ? longest : `(case ${lockouts} ${steps} else ${longest} end)`;
  return `insert into ${row} (key, failures, window_started_at, locked_until, lockouts, updated_at)
values (:key, :firstFailures, :now, :firstLockedUntil, :firstLockouts, :now)
on conflict (key) do update set
  failures = case when ${atLimit} then 0 else ${failures} end,
  window_started_at = case when ${newWindow} or ${atLimit} then :now else ${row}.window_started_at end,
  lockouts = ${lockouts} + case when ${atLimit} then 1 else 0 end,
  locked_until = case when ${atLimit} then ${lockedUntil} else ${row}.locked_until end,
  updated_at = :now
returning failures, lockouts, locked_until`;
}
