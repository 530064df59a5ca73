import type { EnrichmentResult, ProfileEnricher } from '../../enrichment/ProfileEnricher.js';
import { exchangeWithProvider, isRecord, parseJson, redact } from '../providerExchange.js';
import { withoutSecret } from '../../enrichment/withoutSecret.js';
import { retryAfterMs } from '../../enrichment/retryAfter.js';
import { profileFromClearbitPerson } from '../clearbit/clearbitPerson.js';
import {
  enricherSettings,
  type EnricherOptions,
  type EnricherSettings,
} from '../../enrichment/enricherSettings.js';

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

  async lookUp(email: string): Promise<EnrichmentResult> {
    const query = new URLSearchParams({ email, api_key: this.#settings.apiKey }).toString();
    const exchange = await exchangeWithProvider({
      url: `${this.#settings.endpoint}?${query}`,
      headers: {},
      timeoutMs: this.#settings.timeoutMs,
      fetch: this.#settings.fetch ?? globalThis.fetch,
    });
    let result: EnrichmentResult;
    let status: number | undefined;
    if (exchange.kind === 'timeout') {
      result = transient(`Hunter did not answer within ${this.#settings.timeoutMs} ms`);
    } else if (exchange.kind === 'network') {
      result = transient(`Hunter request failed (${exchange.description})`);
    } else {
      status = exchange.status;
      result = this.#interpret(exchange.status, exchange.headers, exchange.body);
    }
    if (result.kind === 'transient_error') {
      // The reason is built from codes only; redacting is a second lock on the same door.
      result = transient(redact(result.reason, this.#settings.apiKey));
    } else if (result.kind === 'found') {
      result = { kind: 'found', profile: withoutSecret(result.profile, this.#settings.apiKey) };
    }
    this.#log(result, status);
    return result;
  }

  #interpret(status: number, headers: Headers, body: string): EnrichmentResult {
    switch (status) {
      case 200:
        return interpretData(body);
      case 202:
        return {
          kind: 'pending',
          retryAfterMs: retryAfterMs(headers, Date.now()) ?? this.#settings.pendingRetryMs,
        };
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
      case 429: {
        const wait = retryAfterMs(headers, Date.now());
        return wait === undefined
          ? { kind: 'rate_limited' }
          : { kind: 'rate_limited', retryAfterMs: wait };
      }
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

  #log(result: EnrichmentResult, status: number | undefined): void {
    const fields = { enricher: this.name, kind: result.kind, status };
    switch (result.kind) {
      case 'auth_error':
        this.#settings.logger.error(fields, 'Hunter rejected the api key');
        return;
      case 'transient_error':
        this.#settings.logger.warn({ ...fields, reason: result.reason }, 'Hunter gave no answer');
        return;
      case 'rate_limited':
        this.#settings.logger.warn(
          { ...fields, retryAfterMs: result.retryAfterMs },
          'Hunter rate limit',
        );
        return;
      default:
        this.#settings.logger.debug(fields, 'Hunter answered');
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

function transient(reason: string): EnrichmentResult {
  return { kind: 'transient_error', reason };
}
