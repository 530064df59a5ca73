import * as scryptDeclarations from 'scrypt-kdf';

// scrypt-kdf's declarations name named exports, but the module exports one default class.
const scrypt = (scryptDeclarations as unknown as { default: typeof scryptDeclarations }).default;
import type { ScryptCost } from '../config.js';

/**
 * scrypt password hashes in scrypt-kdf's self-describing format (salt and cost inside),
 * stored as base64.
 *
 * @example const stored = await hasher.hash('correct horse battery staple')
 */
export class PasswordHasher {
  readonly #cost: ScryptCost;
  #dummyHash: Promise<string> | undefined;

  constructor(cost: ScryptCost) {
    this.#cost = cost;
  }

  get cost(): ScryptCost {
    return this.#cost;
  }

  async hash(password: string): Promise<string> {
    const key = await scrypt.kdf(password, this.#cost);
    return Buffer.from(key).toString('base64');
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await scrypt.verify(Buffer.from(storedHash, 'base64'), password);
    } catch {
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
