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
