import * as scryptDeclarations from 'scrypt-kdf';
import type { ScryptCost } from '../config.js';
import { isPlazaError, overloaded } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';

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
  /**
   * Hashes one lane (a client address, or a username) may have waiting; past this, that
   * lane's next one is refused with OFF_01 while the others' still queue.
   */
  readonly laneQueue: number;
  /**
   * Hashes one account may have waiting, whatever their lanes: a flood of logins to one
   * account from many addresses has as many lanes, and would otherwise get as many turns.
   */
  readonly accountQueue: number;
}

export const DEFAULT_HASHING_LIMITS: HashingLimits = {
  concurrency: 2,
  queue: 200,
  laneQueue: 50,
  accountQueue: 4,
};

/** Where a hash waits for its turn. */
export interface HashTurn {
  /** Whose turn it waits in: a login's client network, or its username. */
  readonly lane: string;
  /** The account it is for, if any: limited to `accountQueue` waiting. */
  readonly account?: string | undefined;
}

/** Work without a lane of its own (sign-ups, password changes) shares this one. */
const SHARED_TURN: HashTurn = { lane: '' };

interface Waiting {
  readonly start: () => void;
}

/**
 * scrypt password hashes in scrypt-kdf's self-describing format (salt and cost inside),
 * stored as base64. Hashes wait for a turn in lanes (a login's client address), served
 * round-robin, so that one client's flood of logins delays everyone else's by at most one
 * hash per turn instead of the whole flood; and one account's few at a time, so that a
 * flood of one account from many addresses does not get a turn per address.
 *
 * @example const stored = await hasher.hash('correct horse battery staple')
 */
export class PasswordHasher {
  readonly #cost: ScryptCost;
  readonly #limits: HashingLimits;
  readonly #logger: Logger;
  /** Waiting hashes by lane; a lane is present only while it has some. */
  readonly #lanes = new Map<string, Waiting[]>();
  /** Waiting hashes by account; an account is present only while it has some. */
  readonly #waitingByAccount = new Map<string, number>();
  #waiting = 0;
  #running = 0;
  #dummyHash: Promise<string> | undefined;

  constructor(
    cost: ScryptCost,
    limits: Partial<HashingLimits> = {},
    logger: Logger = silentLogger,
  ) {
    this.#cost = cost;
    this.#limits = { ...DEFAULT_HASHING_LIMITS, ...limits };
    this.#logger = logger;
  }

  /** Runs one scrypt computation in its lane's turn, or refuses it when too many are waiting. */
  #inTurn<T>({ lane, account }: HashTurn, compute: () => Promise<T>): Promise<T> {
    const queued = this.#lanes.get(lane);
    const accountWaiting = account === undefined ? 0 : (this.#waitingByAccount.get(account) ?? 0);
    if (
      this.#running >= this.#limits.concurrency &&
      (this.#waiting >= this.#limits.queue ||
        (queued?.length ?? 0) >= this.#limits.laneQueue ||
        accountWaiting >= this.#limits.accountQueue)
    ) {
      return Promise.reject(overloaded());
    }
    return new Promise<T>((resolve, reject) => {
      const run = (): void => {
        this.#running += 1;
        this.#logger.debug({}, 'password hash computed');
        compute()
          .then(resolve, reject)
          .finally(() => {
            this.#running -= 1;
            this.#next();
          });
      };
      if (this.#running < this.#limits.concurrency) {
        run();
        return;
      }
      const start =
        account === undefined
          ? run
          : () => {
              this.#leaveAccountQueue(account);
              run();
            };
      if (account !== undefined) this.#waitingByAccount.set(account, accountWaiting + 1);
      if (queued === undefined) this.#lanes.set(lane, [{ start }]);
      else queued.push({ start });
      this.#waiting += 1;
    });
  }

  /** Starts the first waiting hash of the next lane, which then goes to the back of the turn. */
  #next(): void {
    const first = this.#lanes.entries().next();
    if (first.done === true) return;
    const [lane, queued] = first.value;
    const waiting = queued.shift();
    this.#lanes.delete(lane);
    // A Map iterates in insertion order: deleting and re-adding the lane moves it last.
    if (queued.length > 0) this.#lanes.set(lane, queued);
    if (waiting === undefined) return;
    this.#waiting -= 1;
    waiting.start();
  }

  #leaveAccountQueue(account: string): void {
    const waiting = (this.#waitingByAccount.get(account) ?? 1) - 1;
    if (waiting === 0) this.#waitingByAccount.delete(account);
    else this.#waitingByAccount.set(account, waiting);
  }

  get cost(): ScryptCost {
    return this.#cost;
  }

  /** A new hash of `password`; `turn` says whose turn it waits in. */
  async hash(password: string, turn: HashTurn = SHARED_TURN): Promise<string> {
    const key = await this.#inTurn(turn, () => scrypt.kdf(password, this.#cost));
    return Buffer.from(key).toString('base64');
  }

  async verify(
    storedHash: string,
    password: string,
    turn: HashTurn = SHARED_TURN,
  ): Promise<boolean> {
    try {
      return await this.#inTurn(turn, () =>
        scrypt.verify(Buffer.from(storedHash, 'base64'), password),
      );
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
  async verifyAgainstDummy(password: string, turn: HashTurn = SHARED_TURN): Promise<false> {
    this.#dummyHash ??= this.hash(`dummy-${Math.random()}-${Date.now()}`);
    await this.verify(await this.#dummyHash, password, turn);
    return false;
  }
}
