import type { Profile } from '@plaza/core';

/** A filled-in profile, as an enrichment would announce it; override any field. */
export function enrichedProfile(userId: number, overrides: Partial<Profile> = {}): Profile {
  return {
    user_id: userId,
    username: `user${userId}`,
    first_name: 'Ada',
    last_name: 'Lovelace',
    birth_date: null,
    location: 'London, UK',
    city: 'London',
    state: null,
    country: 'United Kingdom',
    lat: 51.5,
    lng: -0.12,
    bio: 'Wrote the first program.',
    site: 'https://example.com/ada',
    avatar: null,
    followers_count: 0,
    following_count: 0,
    ...overrides,
  };
}
