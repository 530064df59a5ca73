import { silentLogger, type Logger } from '../../logger.js';
import { positiveMs, providerBaseUrl, requiredKey } from './providerExchange.js';

/** What every HTTP profile enricher can be told. */
export interface EnricherOptions {
  /** The provider's secret key; never logged, never in a result. */
  readonly apiKey: string;
  /** The provider's base URL; tests point it at a local fake. */
  readonly baseUrl?: string;
  /** Limit for one HTTP request, body included, default 10000 ms. */
  readonly timeoutMs?: number;
  /** Wait suggested after a 202 without Retry-After, default 60000 ms. */
  readonly pendingRetryMs?: number;
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
}

export interface EnricherSettings {
  readonly apiKey: string;
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly pendingRetryMs: number;
  readonly fetch: typeof fetch | undefined;
  readonly logger: Logger;
}

/** Checks an enricher's options once (ConfigError naming `owner`) and fills in defaults. */
export function enricherSettings(
  owner: string,
  options: EnricherOptions,
  endpoint: { readonly defaultBaseUrl: string; readonly path: string },
): EnricherSettings {
  return {
    apiKey: requiredKey(owner, options.apiKey),
    endpoint: `${providerBaseUrl(owner, options.baseUrl ?? endpoint.defaultBaseUrl)}${endpoint.path}`,
    timeoutMs: positiveMs(owner, 'timeoutMs', options.timeoutMs ?? 10_000),
    pendingRetryMs: positiveMs(owner, 'pendingRetryMs', options.pendingRetryMs ?? 60_000),
    fetch: options.fetch,
    logger: options.logger ?? silentLogger,
  };
}
