import type {
  EnrichedProfile,
  EnrichmentResult,
  ProfileEnricher,
} from '../../enrichment/ProfileEnricher.js';

const ROLE_ADDRESSES = new Set(['info', 'admin', 'support', 'sales', 'contact', 'noreply']);

const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * The fake's rules, deterministic by address, shared with anything that must agree with it:
 * - a local part starting with `nobody` → not found;
 * - a role address (`info@`, `admin@`, …) → invalid input, as Clearbit answers 422;
 * - anyone else → found: names from the local part (`ada.lovelace` → Ada Lovelace), a fixed
 *   place (London), a bio, and `example.com` site and avatar URLs.
 *
 * @example fakeProfileFor('ada.lovelace@example.com') // { kind: 'found', profile: { first_name: 'Ada', … } }
 */
export function fakeProfileFor(email: string): EnrichmentResult {
  const local = email.trim().toLowerCase().split('@')[0] ?? '';
  if (local.startsWith('nobody')) return { kind: 'not_found' };
  if (ROLE_ADDRESSES.has(local)) return { kind: 'invalid_input' };
  const words = local
    .split(/[._+-]+/)
    .map((word) => word.replace(/[^a-z]/g, ''))
    .filter((word) => word.length > 0);
  const handle = encodeURIComponent(local);
  const profile: EnrichedProfile = {
    ...(words[0] === undefined ? {} : { first_name: capitalize(words[0]) }),
    ...(words.length > 1 ? { last_name: capitalize(words[words.length - 1] ?? '') } : {}),
    location: 'London, England, United Kingdom',
    city: 'London',
    state: 'England',
    country: 'GB',
    lat: 51.5074,
    lng: -0.1278,
    bio: 'A person the offline profile provider made up.',
    site: `https://example.com/~${handle}`,
    avatar: `https://example.com/avatars/${handle}.png`,
  };
  return { kind: 'found', profile };
}

/**
 * Deterministic offline stand-in for Clearbit, used when PLAZA_PROVIDERS=fake or
 * ENRICHMENT_PROVIDER=fake. Answers after `delayMs` (default 50 ms), so notices arrive after
 * the request that queued them, as they would with a real provider.
 *
 * @example await new FakeProfileEnricher().lookUp('nobody@example.com') // { kind: 'not_found' }
 */
export class FakeProfileEnricher implements ProfileEnricher {
  readonly name = 'fake-clearbit';
  readonly #delayMs: number;

  constructor(options: { readonly delayMs?: number } = {}) {
    this.#delayMs = options.delayMs ?? 50;
  }

  lookUp(email: string): Promise<EnrichmentResult> {
    return new Promise((resolve) =>
      setTimeout(() => resolve(fakeProfileFor(email)), this.#delayMs),
    );
  }
}
