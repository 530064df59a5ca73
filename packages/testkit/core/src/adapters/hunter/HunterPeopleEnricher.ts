import type { EnrichmentResult, ProfileEnricher } from '../../enrichment/ProfileEnricher.js';
import { isRecord, parseJson } from '../http/providerExchange.js';
import { rateLimited, stillLooking } from '../http/retryAfter.js';
import { profileFromClearbitPerson } from '../clearbit/clearbitPerson.js';
import {
  enricherSettings,
  type EnricherOptions,
  type EnricherSettings,
} from '../http/enricherSettings.js';
import { lookUpWithProvider, transient } from '../http/lookUpWithProvider.js';

export type HunterPeopleEnricherOptions = EnricherOptions;

const OWNER = 'HunterPeopleEnricher';
const DEFAULT_BASE_URL = 'https://api.hunter.io';

/**
 * Looks people up with Hunter's `/v2/people/find`, whose `data` is a Clearbit-shaped person,
 * and translates every answer into an `EnrichmentResult`. Because the key sits in the URL,
 * neither the URL nor raw fetch errors ever reach a result or a log line.
 *
 * @example const result = await new HunterPeopleEnricher({ apiKey }).lookUp('ada@example.com')
 */
export class HunterPeopleEnricher implements ProfileEnricher {
  readonly name = 'hunter';

  readonly #settings: EnricherSettings;

  constructor(options: HunterPeopleEnricherOptions) {
    this.#settings = enricherSettings(OWNER, options, {
      defaultBaseUrl: DEFAULT_BASE_URL,
      path: '/v2/people/find',
    });
  }

  lookUp(email: string): Promise<EnrichmentResult> {
    return lookUpWithProvider({
      provider: 'Hunter',
      enricher: this.name,
      settings: this.#settings,
      url: `${this.#settings.endpoint}?${new URLSearchParams({ email, api_key: this.#settings.apiKey }).toString()}`,
      headers: {},
      interpret: (status, headers, body) => this.#interpret(status, headers, body),
    });
  }

  #interpret(status: number, headers: Headers, body: string): EnrichmentResult {
    switch (status) {
      case 200:
        return interpretData(body);
      case 202:
        return stillLooking(headers, this.#settings.pendingRetryMs);
      case 404:
        return { kind: 'not_found' };
      case 400:
      case 422:
        return { kind: 'invalid_input' };
      case 401:
        return { kind: 'auth_error' };
      // Hunter's sources disagree on which of 403 and 429 is the per-second limit and which
      // the monthly one: both mean "wait", and the job runner decides how long.
      case 403:
      case 429:
        return rateLimited(headers);
      case 451:
        return { kind: 'legal_block' };
      default:
        return transient(
          status >= 500
            ? `Hunter answered HTTP ${status}`
            : `Hunter answered an unexpected HTTP ${status}`,
        );
    }
  }
}

function interpretData(body: string): EnrichmentResult {
  const parsed = parseJson(body);
  if (!isRecord(parsed) || !('data' in parsed)) {
    return transient('Hunter answered HTTP 200 without a data field');
  }
  const data = parsed['data'];
  if (data === null) return { kind: 'not_found' };
  if (!isRecord(data)) return transient('Hunter answered HTTP 200 with an unreadable data field');
  return { kind: 'found', profile: profileFromClearbitPerson(data) };
}
