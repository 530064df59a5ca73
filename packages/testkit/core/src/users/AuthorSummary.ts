/** Who wrote a post or a comment, as answers show them beside it. */
export interface AuthorSummary {
  readonly user_id: number;
  readonly username: string;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly avatar: string | null;
}

/** The `users` columns an author summary is made of. */
export const AUTHOR_SUMMARY_COLUMNS = [
  'id',
  'username',
  'first_name',
  'last_name',
  'avatar',
] as const;

/** A `users` row with those columns. */
export interface AuthorSummarySource {
  readonly id: number;
  readonly username: string;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly avatar: string | null;
}

export function toAuthorSummary(user: AuthorSummarySource): AuthorSummary {
  return {
    user_id: user.id,
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
    avatar: user.avatar,
  };
}
