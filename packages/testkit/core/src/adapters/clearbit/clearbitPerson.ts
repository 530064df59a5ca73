import type { EnrichedProfile } from '../../enrichment/ProfileEnricher.js';
import { isRecord } from '../http/providerExchange.js';
import { sanitizeProfile } from '../../enrichment/sanitizeProfile.js';

/**
 * Reads the fields Plaza uses from a Clearbit-shaped person (Clearbit's own, or Hunter's
 * `/v2/people/find` data). Any of them may be null or missing; all go through `sanitizeProfile`.
 *
 * @example profileFromClearbitPerson({ name: { givenName: 'Ada' } }) // { first_name: 'Ada' }
 */
export function profileFromClearbitPerson(person: Record<string, unknown>): EnrichedProfile {
  const name = isRecord(person['name']) ? person['name'] : {};
  const geo = isRecord(person['geo']) ? person['geo'] : {};
  return sanitizeProfile({
    first_name: name['givenName'],
    last_name: name['familyName'],
    location: person['location'],
    city: geo['city'],
    state: geo['state'],
    country: geo['country'],
    lat: geo['lat'],
    lng: geo['lng'],
    bio: person['bio'],
    site: person['site'],
    avatar: person['avatar'],
  });
}
