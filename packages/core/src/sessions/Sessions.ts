/** Where a sign-in comes from, as far as the host knows. */
export interface SessionContext {
  /**
   * What the client calls itself (the server passes its User-Agent), shown in the sessions
   * list; cleaned and cut to 200 characters. Tokens never go here.
   */
  readonly device?: string | undefined;
}

/** One signed-in session of yours, as `GET /user/sessions` lists it. */
export interface SessionView {
  readonly session_id: number;
  /** The client's User-Agent when it signed in, or null. */
  readonly device: string | null;
  /** ISO 8601: when the session began (the login or sign-up). */
  readonly created: string;
  /** ISO 8601: its last refresh (or its start). */
  readonly last_used: string;
  /** True for the session of the token that asked. */
  readonly current: boolean;
}

/** Your live sessions, newest first. */
export interface SessionList {
  readonly sessions: readonly SessionView[];
}
