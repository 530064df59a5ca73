import type { HttpTransport } from './http.js';

/** When a person was last seen (`GET /user/activity`). */
export interface UserActivity {
  readonly user_id: number;
  /** ISO 8601: their last sign-in (login, sign-up, password change) or refresh; or null. */
  readonly last_login: string | null;
  /**
   * ISO 8601: their last authenticated request (HTTP with a valid token, or a live-events
   * authentication); null before the first. Requests through other server instances appear
   * within a minute.
   */
  readonly last_request: string | null;
}

/** `client.activity`: when you, or (for an admin) anyone, last signed in and made a request. */
export interface ActivityApi {
  /**
   * Your activity, or with `userId` another person's: that needs an account the server lists
   * in `ADMIN_USERNAMES`, else AUT_04; an admin asking about nobody gets USR_01.
   *
   * @example const { last_login } = await client.activity.get()
   */
  get(userId?: number): Promise<UserActivity>;
}

export function activityApi(http: HttpTransport): ActivityApi {
  return {
    get: async (userId) =>
      (await http.send('GET', '/user/activity', userId === undefined ? {} : { user_id: userId }))
        .data as UserActivity,
  };
}
