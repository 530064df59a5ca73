import type { Knex } from 'knex';
import type { EnrichedProfile } from './ProfileEnricher.js';
import { sanitizeProfile } from './sanitizeProfile.js';
import { PROFILE_FIELDS, type ProfileField } from '../users/User.js';

export type EnrichableField = Exclude<ProfileField, 'birth_date'>;

/** The profile fields enrichment may fill (SPEC's list): a user's own, but never the birth date. */
export const ENRICHABLE_FIELDS: readonly EnrichableField[] = PROFILE_FIELDS.filter(
  (field): field is EnrichableField => field !== 'birth_date',
);

type Current = { readonly [K in EnrichableField]?: unknown };

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

/**
 * The same rule as {@link fillEmptyFields}, for an `UPDATE` of `users`: each found field is
 * written only where the stored one is empty, decided by the database in the one statement,
 * so nothing is read first. Returns the fields offered and the column changes.
 *
 * @example const { changes } = fillEmptyFieldsUpdate(trx, found); await trx('users').where({ id }).update(changes)
 */
export function fillEmptyFieldsUpdate(
  db: Knex,
  found: EnrichedProfile,
): { readonly offered: string[]; readonly changes: Record<string, Knex.Raw> } {
  const clean = sanitizeProfile(found);
  const offered = ENRICHABLE_FIELDS.filter((field) => clean[field] !== undefined);
  const changes: Record<string, Knex.Raw> = {};
  for (const field of offered) {
    const value = clean[field] as Knex.Value;
    changes[field] =
      typeof value === 'number'
        ? db.raw('case when ?? is null then ? else ?? end', [field, value, field])
        : db.raw(`case when ?? is null or trim(??) = '' then ? else ?? end`, [
            field,
            field,
            value,
            field,
          ]);
  }
  return { offered, changes };
}
