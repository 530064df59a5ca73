/**
 * What `GET /user/data` shows; `email` only to the user themself, `following` only to a
 * signed-in viewer (false on their own profile).
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
  /** How many people follow this user. */
  readonly followers_count: number;
  /** How many people this user follows. */
  readonly following_count: number;
  /** Whether the signed-in viewer follows this user; absent when nobody is signed in. */
  readonly following?: boolean;
}
