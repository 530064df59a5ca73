import type { Profile } from './Profile.js';
import type { ProfileField, User } from './User.js';

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
