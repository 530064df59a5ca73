/**
 * What a provider may tell us about a person. Every field is optional: providers know little
 * about most people, and `sanitizeProfile` drops whatever does not pass validation.
 */
export interface EnrichedProfile {
  readonly first_name?: string;
  readonly last_name?: string;
  readonly location?: string;
  readonly city?: string;
  readonly state?: string;
  readonly country?: string;
  readonly lat?: number;
  readonly lng?: number;
  readonly bio?: string;
  readonly site?: string;
  readonly avatar?: string;
}

/**
 * One provider answer, translated. Adapters never throw for what a provider says (or fails to
 * say): timeouts, network errors and unreadable bodies are `transient_error`. The job runner
 * decides what to retry. No variant ever holds a URL, a header or a key.
 *
 * @example if (result.kind === 'found') await saveProfile(user, result.profile)
 */
export type EnrichmentResult =
  | { readonly kind: 'found'; readonly profile: EnrichedProfile }
  | { readonly kind: 'not_found' }
  /** The provider is still looking; ask again after `retryAfterMs`. */
  | { readonly kind: 'pending'; readonly retryAfterMs: number }
  | { readonly kind: 'invalid_input' }
  | { readonly kind: 'auth_error' }
  | { readonly kind: 'quota_exhausted' }
  | { readonly kind: 'rate_limited'; readonly retryAfterMs?: number }
  /** The person asked that their data not be processed: store nothing about them. */
  | { readonly kind: 'legal_block' }
  /** Built only from status codes, error codes and fixed text, so it is safe to log. */
  | { readonly kind: 'transient_error'; readonly reason: string };

export type EnrichmentKind = EnrichmentResult['kind'];

/**
 * Looks up public profile data for an email address (Clearbit, Hunter, a fake...).
 *
 * @example const result = await enricher.lookUp('ada@example.com')
 */
export interface ProfileEnricher {
  readonly name: string;
  lookUp(email: string): Promise<EnrichmentResult>;
}
