import type { HttpTransport, Params } from './http.js';
import { pageByPage } from './pageByPage.js';
import type { Profile } from './types.js';

/**
 * Changes to your own profile: the fields you send change, the others stay; `null` (or `''`)
 * clears a field. `email` cannot be cleared, and a new one is verified as at sign-up.
 */
export interface ProfileChanges {
  readonly first_name?: string | null;
  readonly last_name?: string | null;
  /** YYYY-MM-DD */
  readonly birth_date?: string | null;
  readonly location?: string | null;
  readonly city?: string | null;
  readonly state?: string | null;
  readonly country?: string | null;
  readonly lat?: number | null;
  readonly lng?: number | null;
  readonly bio?: string | null;
  /** An http or https URL. */
  readonly site?: string | null;
  /** An http or https URL. */
  readonly avatar?: string | null;
  readonly email?: string;
}

export interface FollowQuery {
  /** 1 to 100; the server's default is 20. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly before?: number;
}

/** One page of followers or followings, newest follow first; pass `next` as `before` (null: no more). */
export interface ProfilePage {
  readonly users: readonly Profile[];
  readonly next: number | null;
}

/** Profiles by name, your own profile's changes, and follows: part of `client.users`. */
export interface ProfilesApi {
  /** The profile of the user named `username`, in any case; USR_01 when there is none. */
  byUsername(username: string): Promise<Profile>;
  /** Changes your profile and answers the new one (with your email). */
  update(changes: ProfileChanges): Promise<Profile>;
  /** Following someone twice is the same as once; yourself is USR_02. */
  follow(userId: number): Promise<void>;
  /** Unfollowing someone you do not follow does nothing. */
  unfollow(userId: number): Promise<void>;
  /** One page of who follows `userId`, newest first. */
  followers(userId: number, query?: FollowQuery): Promise<ProfilePage>;
  /** One page of whom `userId` follows, newest first. */
  following(userId: number, query?: FollowQuery): Promise<ProfilePage>;
  /** Every follower of `userId`, newest first, fetched page by page as you iterate. */
  iterateFollowers(userId: number, query?: FollowQuery): AsyncIterableIterator<Profile>;
  /** Everyone `userId` follows, newest first, fetched page by page as you iterate. */
  iterateFollowing(userId: number, query?: FollowQuery): AsyncIterableIterator<Profile>;
}

type FollowList = '/user/followers' | '/user/following';

export function profilesApi(http: HttpTransport): ProfilesApi {
  const page = async (path: FollowList, userId: number, query: FollowQuery = {}) =>
    (await http.send('GET', path, { ...query, user_id: userId })).data as ProfilePage;
  const iterate = (path: FollowList, userId: number, query: FollowQuery = {}) =>
    pageByPage(query.before, async (before) => {
      const answer = await page(path, userId, before === undefined ? query : { ...query, before });
      return { items: answer.users, next: answer.next };
    });
  return {
    byUsername: async (username) =>
      (await http.send('GET', '/user/data', { username })).data as Profile,
    update: async (changes) =>
      (await http.send('POST', '/user/update', wireChanges(changes))).data as Profile,
    async follow(userId) {
      await http.send('POST', '/user/follow', { user_id: userId });
    },
    async unfollow(userId) {
      await http.send('POST', '/user/unfollow', { user_id: userId });
    },
    followers: (userId, query) => page('/user/followers', userId, query),
    following: (userId, query) => page('/user/following', userId, query),
    iterateFollowers: (userId, query) => iterate('/user/followers', userId, query),
    iterateFollowing: (userId, query) => iterate('/user/following', userId, query),
  };
}

/** `null` goes as an empty value, which the server reads as "clear it". */
function wireChanges(changes: ProfileChanges): Params {
  return Object.fromEntries(
    Object.entries(changes).map(([field, value]) => [
      field,
      value ?? (value === null ? '' : undefined),
    ]),
  );
}
