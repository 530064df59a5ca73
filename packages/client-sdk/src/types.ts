/** Answers and inputs as the HTTP API names them (snake_case, as on the wire). */

/**
 * A public profile; `email` only when it is your own, `following` only when you are signed
 * in (whether you follow this user; false on your own).
 */
export interface Profile {
  readonly user_id: number;
  readonly username: string;
  readonly email?: string;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly birth_date: string | null;
  readonly location: string | null;
  readonly city: string | null;
  readonly state: string | null;
  readonly country: string | null;
  readonly lat: number | null;
  readonly lng: number | null;
  readonly bio: string | null;
  readonly site: string | null;
  readonly avatar: string | null;
  readonly followers_count: number;
  readonly following_count: number;
  readonly following?: boolean;
}

export interface SignUpInput {
  readonly username: string;
  readonly password: string;
  readonly email: string;
  readonly first_name?: string;
  readonly last_name?: string;
  /** YYYY-MM-DD */
  readonly birth_date?: string;
  readonly location?: string;
  readonly city?: string;
  readonly state?: string;
  readonly country?: string;
  readonly lat?: number;
  readonly lng?: number;
  readonly bio?: string;
  readonly site?: string;
  readonly avatar?: string;
}

/** A signed-in session: the token the client now sends, and whose it is. */
export interface Session {
  readonly user_id: number;
  readonly token: string;
  /** ISO 8601: when `token` expires; the client refreshes it shortly before. */
  readonly expires_at: string;
  /** Gets the next token (`auth.refresh`); keep it as safe as a password. */
  readonly refresh_token: string;
}

export interface NewPost {
  readonly title: string;
  readonly text: string;
  /** An http or https URL. */
  readonly link?: string;
}

export interface Post {
  readonly post_id: number;
  readonly author_id: number;
  readonly title: string;
  readonly text: string;
  readonly link: string | null;
  readonly likes: number;
  /** ISO 8601 */
  readonly posted: string;
  /** ISO 8601 */
  readonly edited: string;
  readonly author: AuthorSummary;
  /** How many comments it has. */
  readonly comments: number;
  /** Whether you like it; present only when the client is signed in. */
  readonly liked_by_me?: boolean;
}

/** Who wrote a post or a comment. */
export interface AuthorSummary {
  readonly user_id: number;
  readonly username: string;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly avatar: string | null;
}

/** What `posts.edit` changes: any of these, at least one. */
export interface PostChanges {
  readonly title?: string;
  readonly text?: string;
  /** An http or https URL; null removes the link. */
  readonly link?: string | null;
}

export interface PostQuery {
  readonly author_id?: number;
  /** 1 to 100; the server's default is 20. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly before?: number;
}

/** One page, newest first; pass `next` as `before` for the following page (null: no more). */
export interface PostPage {
  readonly posts: readonly Post[];
  readonly next: number | null;
}
