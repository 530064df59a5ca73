import type { ProfileField, User } from './User.js';

/** What `GET /user/data` shows; `email` only to the user themself. */
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
}

/** The stored fields a profile is made of (a model instance or a plain row). */
export type ProfileSource = Pick<User, 'id' | 'username' | 'email' | ProfileField>;

/** A user's profile as `GET /user/data` shows it; `email` only when `isOwner`. */
export function toProfile(user: ProfileSource, isOwner: boolean): Profile {
  return {
    user_id: user.id,
    username: user.username,
    ...(isOwner ? { email: user.email } : {}),
    first_name: user.first_name,
    last_name: user.last_name,
    birth_date: user.birth_date,
    location: user.location,
    city: user.city,
    state: user.state,
    country: user.country,
    lat: user.lat,
    lng: user.lng,
    bio: user.bio,
    site: user.site,
    avatar: user.avatar,
  };
}
