import type { EnrichedProfile } from './ProfileEnricher.js';
import { sanitizeProfile } from './sanitizeProfile.js';

/** The profile fields enrichment may fill (SPEC's list; never username, email or birth date). */
export const ENRICHABLE_FIELDS = [
  'first_name',
  'last_name',
  'location',
  'city',
  'state',
  'country',
  'lat',
  'lng',
  'bio',
  'site',
  'avatar',
] as const satisfies ReadonlyArray<keyof EnrichedProfile>;

type Current = { readonly [K in (typeof ENRICHABLE_FIELDS)[number]]?: unknown };

const isEmpty = (value: unknown): boolean =>
  value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

/**
 * The changes that fill a user's empty fields from found data; what the user wrote stays.
 * Found data is validated again here, whatever adapter produced it.
 *
 * @example fillEmptyFields({ first_name: 'Ada', city: null }, { first_name: 'A.', city: 'London' }) // { city: 'London' }
 */
export function fillEmptyFields(current: Current, found: EnrichedProfile): EnrichedProfile {
  const clean = sanitizeProfile(found);
  return Object.fromEntries(
    ENRICHABLE_FIELDS.filter((field) => clean[field] !== undefined && isEmpty(current[field])).map(
      (field) => [field, clean[field]],
    ),
  );
}
