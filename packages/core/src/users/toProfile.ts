import type { Profile } from './Profile.js';
import { PROFILE_FIELDS, type ProfileField, type User } from './User.js';

/** The stored fields a profile is made of (a model instance or a plain row). */
export type ProfileSource = Pick<
  User,
  'id' | 'username' | 'email' | ProfileField | 'followers_count' | 'following_count'
>;

/** The `users` columns a profile is made of. */
export const PROFILE_COLUMNS = [
  'id',
  'username',
  'email',
  ...PROFILE_FIELDS,
  'followers_count',
  'following_count',
] as const satisfies ReadonlyArray<keyof ProfileSource>;

/**
 * A user's profile as `GET /user/data` shows it; `email` only when `isOwner`, `following`
 * only when given (a signed-in viewer: whether they follow this user).
 *
 * @example toProfile(row, viewerId === row.id, viewerId === undefined ? undefined : false)
 */
export function toProfile(user: ProfileSource, isOwner: boolean, following?: boolean): Profile {
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
    followers_count: user.followers_count,
    following_count: user.following_count,
    ...(following === undefined ? {} : { following }),
  };
}
