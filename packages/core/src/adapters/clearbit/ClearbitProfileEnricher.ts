import { silentLogger, type Logger } from '../../logger.js';
import type { EnrichmentResult, ProfileEnricher } from '../../enrichment/ProfileEnricher.js';
import {
  exchangeWithProvider,
  isRecord,
  parseJson,
  positiveMs,
  providerBaseUrl,
  redact,
  requiredKey,
} from '../providerExchange.js';
import { withoutSecret } from '../../enrichment/withoutSecret.js';
import { retryAfterMs } from '../../enrichment/retryAfter.js';
import { profileFromClearbitPerson } from './clearbitPerson.js';

export interface ClearbitProfileEnricherOptions {
  /** Clearbit secret key (`sk_...`); sent as a Bearer token, never logged. */
  readonly apiKey: string;
  /** Default `https://person.clearbit.com`; tests point it at a local fake. */
  readonly baseUrl?: string;
  /** Limit for one HTTP request, body included, default 10000 ms. */
  readonly timeoutMs?: number;
  /** Wait suggested after a 202 "queued" without Retry-After, default 60000 ms. */
  readonly pendingRetryMs?: number;
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
}

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

  readonly #apiKey: string;
  readonly #endpoint: string;
  readonly #timeoutMs: number;
  readonly #pendingRetryMs: number;
  readonly #fetch: typeof fetch | undefined;
  readonly #logger: Logger;

  constructor(options: ClearbitProfileEnricherOptions) {
    this.#apiKey = requiredKey(OWNER, options.apiKey);
    this.#endpoint = `${providerBaseUrl(OWNER, options.baseUrl ?? DEFAULT_BASE_URL)}/v2/people/find`;
    this.#timeoutMs = positiveMs(OWNER, 'timeoutMs', options.timeoutMs ?? 10_000);
    this.#pendingRetryMs = positiveMs(OWNER, 'pendingRetryMs', options.pendingRetryMs ?? 60_000);
    this.#fetch = options.fetch;
    this.#logger = options.logger ?? silentLogger;
  }

  async lookUp(email: string): Promise<EnrichmentResult> {
    const exchange = await exchangeWithProvider({
      url: `${this.#endpoint}?${new URLSearchParams({ email }).toString()}`,
      headers: { authorization: `Bearer ${this.#apiKey}` },
      timeoutMs: this.#timeoutMs,
      // Read at call time so a fetch patched after construction (tests, tracing) is used.
      fetch: this.#fetch ?? globalThis.fetch,
    });
    let result: EnrichmentResult;
    let status: number | undefined;
    if (exchange.kind === 'timeout') {
      result = transient(`Clearbit did not answer within ${this.#timeoutMs} ms`);
    } else if (exchange.kind === 'network') {
      result = transient(`Clearbit request failed (${exchange.description})`);
    } else {
      status = exchange.status;
      result = this.#interpret(exchange.status, exchange.headers, exchange.body);
    }
    if (result.kind === 'transient_error') {
      // The reason is built from codes only; redacting is a second lock on the same door.
      result = transient(redact(result.reason, this.#apiKey));
    } else if (result.kind === 'found') {
      result = { kind: 'found', profile: withoutSecret(result.profile, this.#apiKey) };
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
          retryAfterMs: retryAfterMs(headers, Date.now()) ?? this.#pendingRetryMs,
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
        this.#logger.error(fields, 'Clearbit rejected the api key');
        return;
      case 'quota_exhausted':
        this.#logger.error(fields, 'Clearbit quota is exhausted');
        return;
      case 'transient_error':
        this.#logger.warn({ ...fields, reason: result.reason }, 'Clearbit gave no answer');
        return;
      case 'rate_limited':
        this.#logger.warn({ ...fields, retryAfterMs: result.retryAfterMs }, 'Clearbit rate limit');
        return;
      default:
        this.#logger.debug(fields, 'Clearbit answered');
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
