import type { EnrichmentResult, ProfileEnricher } from '../../enrichment/ProfileEnricher.js';
import { exchangeWithProvider, isRecord, parseJson, redact } from '../providerExchange.js';
import { withoutSecret } from '../../enrichment/withoutSecret.js';
import { retryAfterMs } from '../../enrichment/retryAfter.js';
import { profileFromClearbitPerson } from './clearbitPerson.js';
import {
  enricherSettings,
  type EnricherOptions,
  type EnricherSettings,
} from '../../enrichment/enricherSettings.js';

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

  async lookUp(email: string): Promise<EnrichmentResult> {
    const exchange = await exchangeWithProvider({
      url: `${this.#settings.endpoint}?${new URLSearchParams({ email }).toString()}`,
      headers: { authorization: `Bearer ${this.#settings.apiKey}` },
      timeoutMs: this.#settings.timeoutMs,
      // Read at call time so a fetch patched after construction (tests, tracing) is used.
      fetch: this.#settings.fetch ?? globalThis.fetch,
    });
    let result: EnrichmentResult;
    let status: number | undefined;
    if (exchange.kind === 'timeout') {
      result = transient(`Clearbit did not answer within ${this.#settings.timeoutMs} ms`);
    } else if (exchange.kind === 'network') {
      result = transient(`Clearbit request failed (${exchange.description})`);
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
        return interpretPerson(body);
      case 202:
        return {
          kind: 'pending',
          retryAfterMs: retryAfterMs(headers, Date.now()) ?? this.#settings.pendingRetryMs,
        };
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

  #log(result: EnrichmentResult, status: number | undefined): void {
    const fields = { enricher: this.name, kind: result.kind, status };
    switch (result.kind) {
      case 'auth_error':
        // A bad key will not fix itself: make it louder than a passing outage.
        this.#settings.logger.error(fields, 'Clearbit rejected the api key');
        return;
      case 'quota_exhausted':
        this.#settings.logger.error(fields, 'Clearbit quota is exhausted');
        return;
      case 'transient_error':
        this.#settings.logger.warn({ ...fields, reason: result.reason }, 'Clearbit gave no answer');
        return;
      case 'rate_limited':
        this.#settings.logger.warn(
          { ...fields, retryAfterMs: result.retryAfterMs },
          'Clearbit rate limit',
        );
        return;
      default:
        this.#settings.logger.debug(fields, 'Clearbit answered');
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
    if (!isRecord(person)) return transient('Clearbit answered HTTP 200 with an unreadable person');
    return { kind: 'found', profile: profileFromClearbitPerson(person) };
  }
  return { kind: 'found', profile: profileFromClearbitPerson(parsed) };
}

function errorTypeOf(body: string): string | undefined {
  const parsed = parseJson(body);
  const error = isRecord(parsed) ? parsed['error'] : undefined;
  const type = isRecord(error) ? error['type'] : undefined;
  return typeof type === 'string' ? type : undefined;
}

function rateLimited(headers: Headers): EnrichmentResult {
  const wait = retryAfterMs(headers, Date.now());
  return wait === undefined
    ? { kind: 'rate_limited' }
    : { kind: 'rate_limited', retryAfterMs: wait };
}

function transient(reason: string): EnrichmentResult {
  return { kind: 'transient_error', reason };
}
