import { optional, required, type Parsed } from '../shared/input.js';
import {
  email,
  httpUrl,
  id,
  isoDate,
  line,
  numberBetween,
  secret,
  text,
  username,
} from '../shared/values.js';

const today = (): string => new Date().toISOString().slice(0, 10);

/** The parameters of `POST /user/data`. */
export const signUpInput = {
  username: required(username('username')),
  password: required(secret('password')),
  email: required(email('email')),
  first_name: optional(line('first_name', 150)),
  last_name: optional(line('last_name', 150)),
  birth_date: optional(
    isoDate('birth_date').refine(
      (date) => date <= today(),
      'birth_date must not be in the future.',
    ),
  ),
  location: optional(line('location', 255)),
  city: optional(line('city', 255)),
  state: optional(line('state', 255)),
  country: optional(line('country', 255)),
  lat: optional(numberBetween('lat', -90, 90)),
  lng: optional(numberBetween('lng', -180, 180)),
  bio: optional(text('bio', 5000)),
  site: optional(httpUrl('site')),
  avatar: optional(httpUrl('avatar')),
};

export type SignUpInput = Parsed<typeof signUpInput>;

/** The parameters of `GET /user/data` when asking for someone's profile. */
export const profileInput = { user_id: required(id('user_id')) };

export type ProfileInput = Parsed<typeof profileInput>;

/** The parameters of `GET /user/data` when asking for someone's profile by name (any case). */
export const usernameLookupInput = { username: required(line('username', 150)) };

export type UsernameLookupInput = Parsed<typeof usernameLookupInput>;

/**
 * The parameters of `POST /user/update`: the sign-up's optional fields and `email`, checked as
 * at sign-up. A field not given stays as it is; one given empty (or null) is cleared, except
 * `email`, which cannot be.
 */
export const updateProfileInput = {
  first_name: signUpInput.first_name,
  last_name: signUpInput.last_name,
  birth_date: signUpInput.birth_date,
  location: signUpInput.location,
  city: signUpInput.city,
  state: signUpInput.state,
  country: signUpInput.country,
  lat: signUpInput.lat,
  lng: signUpInput.lng,
  bio: signUpInput.bio,
  site: signUpInput.site,
  avatar: signUpInput.avatar,
  email: optional(signUpInput.email.schema),
};

export type UpdateProfileInput = Parsed<typeof updateProfileInput>;
