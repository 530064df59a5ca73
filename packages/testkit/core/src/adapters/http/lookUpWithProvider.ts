import { exchangeWithProvider, redact } from './providerExchange.js';
import type { EnricherSettings } from './enricherSettings.js';
import type { EnrichmentResult } from '../../enrichment/ProfileEnricher.js';
import { withoutSecret } from './withoutSecret.js';

export interface ProviderLookUp {
  /** The provider's name as people write it, for reasons and log lines ("Clearbit"). */
  readonly provider: string;
  /** The enricher's `name`, for log fields. */
  readonly enricher: string;
  readonly settings: EnricherSettings;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Translates one HTTP answer; timeouts and network failures are handled here. */
  interpret(status: number, headers: Headers, body: string): EnrichmentResult;
}

/**
 * One look-up as every HTTP enricher does it: the request under its deadline, the answer
 * translated, the key scrubbed from whatever comes back, and one log line.
 */
export async function lookUpWithProvider(lookUp: ProviderLookUp): Promise<EnrichmentResult> {
  const { provider, settings } = lookUp;
  const exchange = await exchangeWithProvider({
    url: lookUp.url,
    headers: lookUp.headers,
    timeoutMs: settings.timeoutMs,
    // Read at call time so a fetch patched after construction (tests, tracing) is used.
    fetch: settings.fetch ?? globalThis.fetch,
  });
  let result: EnrichmentResult;
  let status: number | undefined;
  if (exchange.kind === 'timeout') {
    result = transient(`${provider} did not answer within ${settings.timeoutMs} ms`);
  } else if (exchange.kind === 'network') {
    result = transient(`${provider} request failed (${exchange.description})`);
  } else {
    status = exchange.status;
    result = lookUp.interpret(exchange.status, exchange.headers, exchange.body);
  }
  if (result.kind === 'transient_error') {
    // The reason is built from codes only; redacting is a second lock on the same door.
    result = transient(redact(result.reason, settings.apiKey));
  } else if (result.kind === 'found') {
    result = { kind: 'found', profile: withoutSecret(result.profile, settings.apiKey) };
  }
  logResult(lookUp, result, status);
  return result;
}

export function transient(reason: string): EnrichmentResult {
  return { kind: 'transient_error', reason };
}

function logResult(
  { provider, enricher, settings }: ProviderLookUp,
  result: EnrichmentResult,
  status: number | undefined,
): void {
  const fields = { enricher, kind: result.kind, status };
  const { logger } = settings;
  switch (result.kind) {
    case 'auth_error':
      // A bad key will not fix itself: make it louder than a passing outage.
      logger.error(fields, `${provider} rejected the api key`);
      return;
    case 'quota_exhausted':
      logger.error(fields, `${provider} quota is exhausted`);
      return;
    case 'transient_error':
      logger.warn({ ...fields, reason: result.reason }, `${provider} gave no answer`);
      return;
    case 'rate_limited':
      logger.warn({ ...fields, retryAfterMs: result.retryAfterMs }, `${provider} rate limit`);
      return;
    default:
      logger.debug(fields, `${provider} answered`);
  }
}
