import { redact } from './providerExchange.js';
import type { EnrichedProfile } from '../../enrichment/ProfileEnricher.js';

/** Drops every profile field that quotes `secret`: a provider echoing a key is not data. */
export function withoutSecret(profile: EnrichedProfile, secret: string): EnrichedProfile {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(profile)) {
    if (typeof value === 'string' && redact(value, secret) !== value) continue;
    out[field] = value;
  }
  return out;
}
