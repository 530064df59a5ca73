import pLimit, { type LimitFunction } from 'p-limit';
import * as scryptDeclarations from 'scrypt-kdf';
import type { ScryptCost } from '../config.js';
import { isPlazaError, overloaded } from '../errors.js';

// scrypt-kdf's declarations name named exports, but the module exports one default class.
const scrypt = (scryptDeclarations as unknown as { default: typeof scryptDeclarations }).default;

export interface HashingLimits {
  /**
   * Hashes computed at once. scrypt runs on libuv's thread pool (4 threads), which SQLite
   * shares: left unbounded, a burst of logins holds every thread and all other requests wait.
   */
  readonly concurrency: number;
  /** Hashes that may wait for a turn; past this, the request is refused with OFF_01. */
  readonly queue: number;
}

export const DEFAULT_HASHING_LIMITS: HashingLimits = { concurrency: 2, queue: 200 };

/**
 * scrypt password hashes in scrypt-kdf's self-describing format (salt and cost inside),
 * stored as base64.
 *
 * @example const stored = await hasher.hash('correct horse battery staple')
 */
export class PasswordHasher {
  readonly #cost: ScryptCost;
  readonly #limit: LimitFunction;
  readonly #queueLimit: number;
  #dummyHash: Promise<string> | undefined;

  constructor(cost: ScryptCost, limits: HashingLimits = DEFAULT_HASHING_LIMITS) {
    this.#cost = cost;
    this.#limit = pLimit(limits.concurrency);
    this.#queueLimit = limits.queue;
  }

  /** Runs one scrypt computation in turn, or refuses it when too many are waiting. */
  #inTurn<T>(compute: () => Promise<T>): Promise<T> {
    if (this.#limit.pendingCount >= this.#queueLimit) return Promise.reject(overloaded());
    return this.#limit(compute);
  }

  get cost(): ScryptCost {
    return this.#cost;
  }

  async hash(password: string): Promise<string> {
    const key = await this.#inTurn(() => scrypt.kdf(password, this.#cost));
    return Buffer.from(key).toString('base64');
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await this.#inTurn(() => scrypt.verify(Buffer.from(storedHash, 'base64'), password));
    } catch (error) {
      if (isPlazaError(error)) throw error;
      return false;
    }
  }

  /** True when the stored hash was made with another cost than the configured one. */
  needsRehash(storedHash: string): boolean {
    try {
      const { logN, r, p } = scrypt.viewParams(Buffer.from(storedHash, 'base64'));
      return logN !== this.#cost.logN || r !== this.#cost.r || p !== this.#cost.p;
    } catch {
      return true;
    }
  }

  /**
   * Verifies against a hash of the configured cost that matches no password, so that a
   * login for an unknown user takes as long as one with a wrong password.
   */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.#dummyHash ??= this.hash(`dummy-${Math.random()}-${Date.now()}`);
    await this.verify(await this.#dummyHash, password);
    return false;
  }
}
