import type { Knex } from 'knex';
import { toIsoTimestamp } from '../adapters/db/dbErrors.js';
import { invalidToken, notAllowed, objectNotFound } from '../errors.js';
import { parseInput, type RawParams } from '../shared/input.js';
import { usernameKey } from '../users/User.js';
import type { Activity, UserActivity } from './Activity.js';
import { activityInput, type ActivityInput } from './activityInputs.js';
import type { LastRequests } from './LastRequests.js';

export interface ActivityServiceDependencies {
  readonly db: Knex;
  readonly lastRequests: LastRequests;
  /** Who may see anyone's activity, matched as logins match names (any case or width). */
  readonly adminUsernames: readonly string[];
}

interface ActivityRow {
  readonly id: number | string;
  readonly username_key: string;
  readonly last_request_at: string | Date | null;
  readonly last_login: string | Date | null;
}

/** When people were last seen; see `Activity`. */
export class ActivityService implements Activity {
  readonly #db: Knex;
  readonly #lastRequests: LastRequests;
  readonly #admins: ReadonlySet<string>;

  constructor(deps: ActivityServiceDependencies) {
    this.#db = deps.db;
    this.#lastRequests = deps.lastRequests;
    this.#admins = new Set(deps.adminUsernames.map(usernameKey));
  }

  /**
   * One query reads the caller (to know whether they are an admin) and the person asked
   * about: the stored last request, merged with the newer one this process has not written
   * yet, and the newest `last_used_at` of their sessions (one index lookup).
   *
   * @example const mine = await plaza.activity.of(userId)
   */
  async of(callerId: number, raw: ActivityInput | RawParams = {}): Promise<UserActivity> {
    const { user_id: asked } = parseInput(activityInput, raw);
    const userId = asked ?? callerId;
    const db = this.#db;
    const rows = (await db('users as u')
      .select(
        'u.id',
        'u.username_key',
        'u.last_request_at',
        db('user_sessions as s')
          .max('s.last_used_at')
          .where('s.user_id', db.ref('u.id'))
          .as('last_login'),
      )
      .whereIn('u.id', userId === callerId ? [callerId] : [callerId, userId])) as ActivityRow[];
    const caller = rows.find((row) => Number(row.id) === callerId);
    // Deleted since the token was checked.
    if (caller === undefined) throw invalidToken();
    // Before whether the person exists: who may not ask learns nothing about them.
    if (userId !== callerId && !this.#admins.has(caller.username_key)) throw notAllowed();
    const row = rows.find((candidate) => Number(candidate.id) === userId);
    if (row === undefined) throw objectNotFound();
    const stored =
      row.last_request_at === null ? undefined : Date.parse(toIsoTimestamp(row.last_request_at));
    const pending = this.#lastRequests.pendingOf(userId);
    const lastRequest =
      pending === undefined ? stored : stored === undefined ? pending : Math.max(stored, pending);
    return {
      user_id: userId,
      last_login: row.last_login === null ? null : toIsoTimestamp(row.last_login),
      last_request: lastRequest === undefined ? null : new Date(lastRequest).toISOString(),
    };
  }
}
