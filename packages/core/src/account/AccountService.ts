import type { Knex } from 'knex';
import { dialectOf } from '../adapters/db/createKnex.js';
import { isForeignKeyViolation, isTransactionConflict } from '../adapters/db/dbErrors.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import type { LastRequests } from '../activity/LastRequests.js';
import type { LoginContext } from '../auth/Auth.js';
import type { LoginThrottle } from '../auth/LoginThrottle.js';
import type { PasswordHasher } from '../auth/PasswordHasher.js';
import type { TokenVersions } from '../auth/TokenVersions.js';
import { invalidToken, overloaded, wrongCredentials } from '../errors.js';
import type { EventBus } from '../events/EventBus.js';
import type { Logger } from '../logger.js';
import { parseInput, type RawParams } from '../shared/input.js';
import type { PasswordPolicy } from '../users/PasswordPolicy.js';
import type { Account, AccountExport } from './Account.js';
import { deleteAccountInput, type DeleteAccountInput } from './accountInputs.js';
import { eraseUser, forgetEventsOf, type ErasedRows } from './eraseUser.js';
import { exportAccount } from './exportAccount.js';

export interface AccountServiceDependencies {
  readonly db: Knex;
  readonly writes: WriteBatcher;
  readonly policy: PasswordPolicy;
  readonly hasher: PasswordHasher;
  readonly throttle: LoginThrottle;
  readonly versions: TokenVersions;
  readonly events: EventBus;
  readonly logger: Logger;
  /** The last request times not written yet, which the export includes; default: none. */
  readonly lastRequests?: LastRequests;
}

/**
 * On PostgreSQL, how often a deletion that another transaction got in the way of (a deadlock
 * with an unfollow of the user, a row written just before the locks) is tried again.
 */
const MAX_ATTEMPTS = 5;

/** Exporting and deleting an account: the GDPR path. */
export class AccountService implements Account {
  readonly #deps: AccountServiceDependencies;

  constructor(deps: AccountServiceDependencies) {
    this.#deps = deps;
  }

  /** @example const everything = await plaza.account.export(userId) */
  export(userId: number): Promise<AccountExport> {
    return exportAccount(this.#deps.db, userId, this.#deps.lastRequests?.pendingOf(userId));
  }

  /**
   * The password is checked as at login, through the login throttle (the same counters: a
   * stolen token is no faster a way to guess the password than the login form); then one
   * transaction deletes everything, and this process refuses the user's tokens at once.
   *
   * @example await plaza.account.delete(userId, { password }, { clientIp })
   */
  async delete(
    userId: number,
    raw: DeleteAccountInput | RawParams,
    context: LoginContext = {},
  ): Promise<void> {
    const { password } = parseInput(deleteAccountInput, raw);
    const { db, policy, hasher, throttle, versions, logger } = this.#deps;
    const user = (await db('users')
      .select('username', 'password_hash')
      .where('id', userId)
      .first()) as { username: string; password_hash: string } | undefined;
    // Deleted since the token was checked.
    if (user === undefined) throw invalidToken();

    const admitted = await throttle.admit(user.username, context.clientIp);
    if (policy.isTooLong(password)) {
      await throttle.failed(admitted);
      throw wrongCredentials();
    }
    let matches: boolean;
    try {
      matches = await hasher.verify(user.password_hash, password, admitted);
    } catch (error) {
      await throttle.abandoned(admitted);
      throw error;
    }
    if (!matches) {
      await throttle.failed(admitted);
      throw wrongCredentials();
    }
    await throttle.succeeded(admitted);

    const erased = await this.#erase(userId, user);
    versions.forget(userId);
    logger.info({ user_id: userId, ...erased }, 'account deleted');
    await this.#announce(userId);
  }

  async #erase(
    userId: number,
    user: { readonly username: string; readonly password_hash: string },
  ): Promise<ErasedRows> {
    const { db, writes, throttle } = this.#deps;
    const dialect = dialectOf(db);
    for (let attempt = 1; ; attempt += 1) {
      try {
        // A savepoint of its own: on SQLite the unit shares the group commit's transaction,
        // and a failure halfway must not leave half an account behind in it.
        const erased = await writes.writeAtomically((outer) =>
          outer.transaction(async (trx) => {
            const rows = await eraseUser(trx, dialect, userId, user.password_hash);
            if (rows !== undefined) await throttle.forgetUsername(trx, user.username);
            return rows;
          }),
        );
        if (erased !== undefined) return erased;
        // Gone meanwhile (a deletion from another device), or the password was changed
        // since it was checked: then the password given is no longer the password.
        const still = (await db('users').select('id').where('id', userId).first()) as
          object | undefined;
        throw still === undefined ? invalidToken() : wrongCredentials();
      } catch (error) {
        const conflict =
          dialect === 'postgres' && (isTransactionConflict(error) || isForeignKeyViolation(error));
        // Still in the way after several tries: safe to retry later, nothing was deleted.
        if (conflict && attempt >= MAX_ATTEMPTS) throw overloaded(error);
        if (!conflict) throw error;
        this.#deps.logger.warn(
          { err: error, user_id: userId, attempt },
          'deleting an account met another transaction; trying again',
        );
      }
    }
  }

  /**
   * Tells the other processes and the live sessions. The deletion is committed by then, so
   * a bus that fails is logged rather than failing the request.
   */
  async #announce(userId: number): Promise<void> {
    const { db, events, logger } = this.#deps;
    try {
      await events.publish('user.deleted', { user_id: userId });
      // Events about the user recorded while the deletion ran.
      if (dialectOf(db) === 'postgres') await forgetEventsOf(db, userId);
    } catch (error) {
      logger.error({ err: error, user_id: userId }, 'announcing a deleted account failed');
    }
  }
}
