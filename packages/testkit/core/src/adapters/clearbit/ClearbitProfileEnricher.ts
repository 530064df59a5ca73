import type { EnrichmentResult, ProfileEnricher } from '../../enrichment/ProfileEnricher.js';
import { isRecord, parseJson } from '../http/providerExchange.js';
import { rateLimited, stillLooking } from '../http/retryAfter.js';
import { profileFromClearbitPerson } from './clearbitPerson.js';
import {
  enricherSettings,
  type EnricherOptions,
  type EnricherSettings,
} from '../http/enricherSettings.js';
import { lookUpWithProvider, transient } from '../http/lookUpWithProvider.js';

export type ClearbitProfileEnricherOptions = EnricherOptions;

const OWNER = 'ClearbitProfileEnricher';
const DEFAULT_BASE_URL = 'https://person.clearbit.com';

/**
 * Looks people up with Clearbit's Person API (`/v2/people/find`) and translates every answer
 * into an `EnrichmentResult`; see PROVIDERS.md for the status codes.
 *
 * @example const result = await new ClearbitProfileEnricher({ apiKey }).lookUp('ada@example.com')
 */
export class ClearbitProfileEnricher implements ProfileEnricher {
  readonly name = 'clearbit';

  readonly #settings: EnricherSettings;

  constructor(options: ClearbitProfileEnricherOptions) {
    this.#settings = enricherSettings(OWNER, options, {
      defaultBaseUrl: DEFAULT_BASE_URL,
      path: '/v2/people/find',
    });
  }

  lookUp(email: string): Promise<EnrichmentResult> {
    return lookUpWithProvider({
      provider: 'Clearbit',
      enricher: this.name,
      settings: this.#settings,
      url: `${this.#settings.endpoint}?${new URLSearchParams({ email }).toString()}`,
      headers: { authorization: `Bearer ${this.#settings.apiKey}` },
      interpret: (status, headers, body) => this.#interpret(status, headers, body),
    });
  }

  #interpret(status: number, headers: Headers, body: string): EnrichmentResult {
    switch (status) {
      case 200:
        return interpretPerson(body);
      case 202:
        return stillLooking(headers, this.#settings.pendingRetryMs);
      case 404:
        return { kind: 'not_found' };
      case 401:
        return { kind: 'auth_error' };
      case 402:
        return { kind: 'quota_exhausted' };
      case 429:
        return rateLimited(headers);
      case 400:
        // Older API versions answered rate limits with a 400.
        return errorTypeOf(body) === 'rate_limit'
          ? rateLimited(headers)
          : { kind: 'invalid_input' };
      case 422:
        return { kind: 'invalid_input' };
      case 451:
        return { kind: 'legal_block' };
      default:
        return transient(
          status >= 500
            ? `Clearbit answered HTTP ${status}`
            : `Clearbit answered an unexpected HTTP ${status}`,
        );
    }
  }
}

function interpretPerson(body: string): EnrichmentResult {
  const parsed = parseJson(body);
  if (!isRecord(parsed)) return transient('Clearbit answered HTTP 200 without a JSON object');
  // `/v2/combined/find` shape: { person, company }.
  if ('person' in parsed) {
    const person = parsed['person'];
    if (person === null) return { kind: 'not_found' };
    return foundPerson(person);
  }
  return foundPerson(parsed);
}

/** Every Clearbit person has an `id`; an object without one is not a person but garbage. */
function foundPerson(person: unknown): EnrichmentResult {
  if (!isRecord(person) || typeof person['id'] !== 'string') {
    return transient('Clearbit answered HTTP 200 with an unreadable person');
  }
  return { kind: 'found', profile: profileFromClearbitPerson(person) };
}

function errorTypeOf(body: string): string | undefined {
  const parsed = parseJson(body);
  const error = isRecord(parsed) ? parsed['error'] : undefined;
  const type = isRecord(error) ? error['type'] : undefined;
  return typeof type === 'string' ? type : undefined;
}
