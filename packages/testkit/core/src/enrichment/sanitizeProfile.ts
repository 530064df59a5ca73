import { keepsTextRule } from '../shared/storedText.js';
import type { EnrichedProfile } from './ProfileEnricher.js';

export const MAX_NAME_LENGTH = 150;
export const MAX_PLACE_LENGTH = 255;
export const MAX_BIO_LENGTH = 5000;
export const MAX_PROFILE_URL_LENGTH = 2048;

type TextField = 'first_name' | 'last_name' | 'location' | 'city' | 'state' | 'country' | 'bio';

const TEXT_LIMITS: Readonly<Record<TextField, number>> = {
  first_name: MAX_NAME_LENGTH,
  last_name: MAX_NAME_LENGTH,
  location: MAX_PLACE_LENGTH,
  city: MAX_PLACE_LENGTH,
  state: MAX_PLACE_LENGTH,
  country: MAX_PLACE_LENGTH,
  bio: MAX_BIO_LENGTH,
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Keeps only the profile fields Plaza stores, from provider data that may hold anything:
 * nulls and wrong types are dropped, strings trimmed and capped (names 150, places 255,
 * bio 5000 characters), strings that break the stored-text rule (control, bidi or invisible
 * characters; see shared/storedText.ts) dropped, not cut, `site`/`avatar` kept only as
 * http(s) URLs of at most 2048 characters, `lat`/`lng` only as finite numbers in range.
 *
 * @example sanitizeProfile({ first_name: ' Ada ', lat: 91 }) // { first_name: 'Ada' }
 */
export function sanitizeProfile(raw: unknown): EnrichedProfile {
  const out: Mutable<EnrichedProfile> = {};
  if (typeof raw !== 'object' || raw === null) return out;
  const source = raw as Record<string, unknown>;

  for (const field of Object.keys(TEXT_LIMITS) as TextField[]) {
    const value = cleanText(source[field], TEXT_LIMITS[field], field === 'bio');
    if (value !== undefined) out[field] = value;
  }
  const lat = coordinate(source['lat'], 90);
  if (lat !== undefined) out.lat = lat;
  const lng = coordinate(source['lng'], 180);
  if (lng !== undefined) out.lng = lng;
  const site = httpUrl(source['site']);
  if (site !== undefined) out.site = site;
  const avatar = httpUrl(source['avatar']);
  if (avatar !== undefined) out.avatar = avatar;
  return out;
}

function cleanText(value: unknown, max: number, multiline: boolean): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  // A bio may span lines; nothing else may. What breaks the rule is dropped whole: a name
  // with a hidden character cut out may not be the name the provider meant.
  const shape = multiline ? 'multiline' : 'line';
  if (!keepsTextRule(trimmed, shape)) return undefined;
  const capped = capCodePoints(trimmed, max).trimEnd();
  // A cut through an emoji sequence can leave its joiner last, joining nothing.
  return keepsTextRule(capped, shape) ? capped : undefined;
}

/** Cuts at `max` code points, so an emoji is never split into a lone surrogate. */
function capCodePoints(value: string, max: number): string {
  if (value.length <= max) return value;
  let out = '';
  let count = 0;
  for (const char of value) {
    if (count === max) break;
    out += char;
    count += 1;
  }
  return out;
}

function coordinate(value: unknown, limit: number): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return value >= -limit && value <= limit ? value : undefined;
}

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  // A cut URL points elsewhere: too long means dropped, not truncated.
  if (trimmed === '' || trimmed.length > MAX_PROFILE_URL_LENGTH) return undefined;
  if (!keepsTextRule(trimmed, 'identifier')) return undefined;
  if (!URL.canParse(trimmed)) return undefined;
  const url = new URL(trimmed);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // Credentials in a public profile link are a leak or a trick; neither belongs on a profile.
  if (url.hostname === '' || url.username !== '' || url.password !== '') return undefined;
  return trimmed;
}
