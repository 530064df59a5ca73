import type { Knex } from 'knex';
import { invalidToken, malformedParam, objectNotFound } from '../errors.js';
import { isForeignKeyViolation } from '../adapters/db/dbErrors.js';
import type { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import type { EventBus } from '../events/EventBus.js';
import type { UserFollowed } from '../events/PlazaEvents.js';
import type { InboxWriter } from '../inbox/InboxWriter.js';
import { DEFAULT_PAGE_SIZE } from '../posts/postInputs.js';
import { parseInput, type RawParams } from '../shared/input.js';
import { PROFILE_COLUMNS, toProfile, type ProfileSource } from '../users/toProfile.js';
import type { ProfilePage } from '../users/Users.js';
import { followedAmong } from './followedAmong.js';
import {
  followInput,
  followListInput,
  type FollowInput,
  type FollowListInput,
} from './followInputs.js';

export interface FollowServiceDependencies {
  readonly db: Knex;
  readonly writes: WriteBatcher;
  readonly events: EventBus;
  readonly inbox: InboxWriter;
}

export const CANNOT_FOLLOW_YOURSELF_MESSAGE = 'You cannot follow yourself.';

type FollowRow = ProfileSource & { readonly follow_id: number };

/** Which side of a follow a list is about, and which side it shows. */
interface ListSide {
  readonly whose: 'followee_id' | 'follower_id';
  readonly shown: 'follower_id' | 'followee_id';
}

const FOLLOWERS: ListSide = { whose: 'followee_id', shown: 'follower_id' };
const FOLLOWING: ListSide = { whose: 'follower_id', shown: 'followee_id' };

/**
 * Following and unfollowing, both idempotent (the unique pair keeps one row), and the lists of
 * followers and followings. `users.followers_count` and `following_count` change in the
 * transaction that adds or removes the row, and only when it did; a new follow is announced
 * to the followed as `user.followed`.
 */
export class FollowService {
  readonly #deps: FollowServiceDependencies;

  constructor(deps: FollowServiceDependencies) {
    this.#deps = deps;
  }

  /** @example await plaza.users.follow(myId, { user_id: 7 }) */
  async follow(followerId: number, raw: FollowInput | RawParams): Promise<void> {
    const followeeId = this.#other(followerId, raw);
    let followed: UserFollowed | undefined;
    try {
      const createdAt = new Date().toISOString();
      followed = await this.#deps.writes.writeAtomically(async (trx) => {
        // The insert comes first: when it fails (a missing user), nothing else has run.
        const inserted = (await trx('follows')
          .insert({ follower_id: followerId, followee_id: followeeId, created_at: createdAt })
          .onConflict(['follower_id', 'followee_id'])
          .ignore()
          .returning('id')) as unknown[];
        if (inserted.length === 0) return undefined;
        const event = {
          user_id: followeeId,
          by_user_id: followerId,
          followers_count: await changeCounts(trx, followerId, followeeId, 1),
        };
        const place = await this.#deps.inbox.keep(trx, followeeId, followerId, {
          type: 'user.followed',
          ...event,
        });
        return { ...event, inbox_id: place.id, inbox_after: place.after };
      });
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      // Either the followed or the token's user does not exist; only the former is the caller's fault.
      if (!(await this.#userExists(followeeId))) throw objectNotFound();
      throw invalidToken(error);
    }
    if (followed !== undefined) await this.#deps.events.publish('user.followed', followed);
  }

  async unfollow(followerId: number, raw: FollowInput | RawParams): Promise<void> {
    const followeeId = this.#other(followerId, raw);
    const removed = await this.#deps.writes.writeAtomically(async (trx) => {
      const deleted = await trx('follows')
        .where({ follower_id: followerId, followee_id: followeeId })
        .delete();
      if (deleted === 0) return false;
      await changeCounts(trx, followerId, followeeId, -1);
      return true;
    });
    if (!removed && !(await this.#userExists(followeeId))) throw objectNotFound();
  }

  /** Who follows the user, newest follow first. */
  followers(raw: FollowListInput | RawParams, viewerId?: number): Promise<ProfilePage> {
    return this.#list(raw, viewerId, FOLLOWERS);
  }

  /** Whom the user follows, newest follow first. */
  following(raw: FollowListInput | RawParams, viewerId?: number): Promise<ProfilePage> {
    return this.#list(raw, viewerId, FOLLOWING);
  }

  /**
   * One page: one query joining the follows to the users they show, then at most one more:
   * whether the user exists when the page is empty, or which of the page the signed-in viewer
   * follows when it is not.
   */
  async #list(
    raw: FollowListInput | RawParams,
    viewerId: number | undefined,
    side: ListSide,
  ): Promise<ProfilePage> {
    const input = parseInput(followListInput, raw);
    const limit = input.limit ?? DEFAULT_PAGE_SIZE;
    const { db } = this.#deps;
    const query = db('follows')
      .join('users', 'users.id', `follows.${side.shown}`)
      .select('follows.id as follow_id', ...PROFILE_COLUMNS.map((column) => `users.${column}`))
      .where(`follows.${side.whose}`, input.user_id)
      .orderBy('follows.id', 'desc')
      .limit(limit + 1);
    if (input.before != null) query.where('follows.id', '<', input.before);
    const rows = (await query) as FollowRow[];
    if (rows.length === 0) {
      if (!(await this.#userExists(input.user_id))) throw objectNotFound();
      return { users: [], next: null };
    }
    const page = rows.slice(0, limit);
    let followed: ReadonlySet<number> | undefined;
    if (viewerId !== undefined) {
      followed =
        side === FOLLOWING && input.user_id === viewerId
          ? new Set(page.map((row) => row.id)) // your own followings: you follow each of them
          : await followedAmong(
              db,
              viewerId,
              page.map((row) => row.id),
            );
    }
    const next = rows.length > limit ? Number(page.at(-1)?.follow_id) : null;
    return {
      users: page.map((row) => toProfile(row, row.id === viewerId, followed?.has(row.id))),
      next,
    };
  }

  /** The followed user's id; USR_02 when it is the caller's own. */
  #other(followerId: number, raw: FollowInput | RawParams): number {
    const { user_id: followeeId } = parseInput(followInput, raw);
    if (followeeId === followerId) throw malformedParam('user_id', CANNOT_FOLLOW_YOURSELF_MESSAGE);
    return followeeId;
  }

  async #userExists(userId: number): Promise<boolean> {
    return (await this.#deps.db('users').select('id').where('id', userId).first()) !== undefined;
  }
}

/**
 * Moves both counts of a follow by `delta` and returns the followed user's followers count
 * after it. The two rows are updated in id order, so that two people following each other at
 * the same moment lock them in the same order (on PostgreSQL the other order could deadlock).
 */
async function changeCounts(
  trx: Knex,
  followerId: number,
  followeeId: number,
  delta: 1 | -1,
): Promise<number> {
  const changes = [
    { id: followerId, column: 'following_count' },
    { id: followeeId, column: 'followers_count' },
  ].sort((a, b) => a.id - b.id);
  let followers = 0;
  for (const { id, column } of changes) {
    const [row] = await trx('users')
      .where('id', id)
      .increment(column, delta)
      .returning<Array<Record<string, number>>>(column);
    if (column === 'followers_count') followers = row?.[column] ?? 0;
  }
  return followers;
}
