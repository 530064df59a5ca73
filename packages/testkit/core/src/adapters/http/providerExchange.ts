import { ConfigError } from '../../errors.js';

/** What came back from one provider request; never the URL, never the raw error. */
export type ProviderExchange =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly headers: Headers;
      readonly body: string;
    }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly description: string };

export interface ProviderRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * One GET with a hard deadline that covers the headers and the body. The race keeps the
 * deadline even if an injected fetch ignores the abort signal.
 *
 * @example const exchange = await exchangeWithProvider({ url, headers, timeoutMs: 5000, fetch })
 */
export async function exchangeWithProvider(request: ProviderRequest): Promise<ProviderExchange> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(
      () => {
        controller.abort(new DOMException('Provider request timed out', 'TimeoutError'));
        resolve('timeout');
      },
      Math.max(0, request.timeoutMs),
    );
  });
  const exchange = (async () => {
    const response = await request.fetch(request.url, {
      method: 'GET',
      headers: { accept: 'application/json', ...request.headers },
      signal: controller.signal,
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  })();
  // Once the race is lost, the exchange's rejection is expected and must not go unhandled.
  exchange.catch(() => undefined);

  try {
    const answer = await Promise.race([exchange, timedOut]);
    if (answer === 'timeout') return { kind: 'timeout' };
    return { kind: 'answer', ...answer };
  } catch (error) {
    if (controller.signal.aborted) return { kind: 'timeout' };
    // Never keep the raw error: fetch errors may quote the URL, and so a key.
    return { kind: 'network', description: describeNetworkError(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps only the error's name and machine codes such as ECONNREFUSED; messages can hold URLs. */
export function describeNetworkError(error: unknown): string {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isRecord(current); depth += 1) {
    const code = current['code'];
    if (typeof code === 'string' && ERROR_CODE.test(code) && !codes.includes(code))
      codes.push(code);
    current = current['cause'];
  }
  const name = error instanceof Error && /^[A-Za-z]{1,40}$/.test(error.name) ? error.name : 'Error';
  return codes.length > 0 ? `${name} ${codes.join(' ')}` : name;
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates an adapter's base URL and drops trailing slashes; `owner` names the adapter. */
export function providerBaseUrl(owner: string, baseUrl: string): string {
  if (!URL.canParse(baseUrl)) throw new ConfigError(`${owner} baseUrl is not a valid URL.`);
  const parsed = new URL(baseUrl);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${owner} baseUrl must use http or https.`);
  }
  return baseUrl.replace(/\/+$/, '');
}

/** Validates a duration option in milliseconds. */
export function positiveMs(owner: string, name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${owner} ${name} must be a positive number.`);
  }
  return value;
}

/** Validates an api key option without ever quoting it. */
export function requiredKey(owner: string, apiKey: unknown): string {
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw new ConfigError(`${owner} needs a non-empty apiKey.`);
  }
  return apiKey;
}

/** Replaces every spelling of `secret` a URL or a body could carry, in any letter case. */
export function redact(text: string, secret: string): string {
  let out = text;
  for (const form of new Set([secret, encodeURIComponent(secret)])) {
    out = out.replace(new RegExp(escapeRegExp(form), 'giu'), '[REDACTED]');
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
