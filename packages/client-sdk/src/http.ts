import { PlazaApiError, PlazaNetworkError, type PlazaErrorCode } from './errors.js';

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

export type Params = Readonly<Record<string, string | number | undefined>>;

export interface HttpSettings {
  readonly baseUrl: string;
  readonly fetch: FetchFunction;
  readonly timeoutMs: number;
  /** How many times an OFF_01 answer ("overloaded, safe to retry") is retried. */
  readonly overloadRetries: number;
  readonly token: () => string | undefined;
}

/** How one call is sent. */
export interface SendOptions {
  /**
   * Send no token, and neither refresh before nor after (logins, sign-ups, refreshes, token
   * checks: routes that take no Authorization).
   */
  readonly anonymous?: boolean;
  /** Send this token instead of the current one, with no refresh either (a logout's). */
  readonly token?: string;
}

/**
 * Keeps the client's access token fresh around each call: `beforeSend` refreshes one about to
 * expire; `recover` is asked after an AUT_01 answer to a call sent with `sentToken`, and says
 * whether a newer token is now held (then the call is sent once more).
 */
export interface TokenRenewal {
  beforeSend(): Promise<void>;
  recover(sentToken: string): Promise<boolean>;
}

/** The success envelope; `data` is absent for answers such as a like. */
export interface OkBody {
  readonly code: 'OK' | 'PENDING';
  readonly data?: unknown;
}

const OVERLOAD_BACKOFF_MS = 250;
const MAX_RETRY_AFTER_MS = 10_000;

/**
 * Sends one API call and turns the answer into data or a typed error.
 *
 * @example await http.send('POST', '/post/like', { post_id: 7 })
 */
export class HttpTransport {
  readonly #settings: HttpSettings;
  #renewal: TokenRenewal | undefined;

  constructor(settings: HttpSettings) {
    this.#settings = settings;
  }

  /** From now on, calls refresh the token ahead of its expiry and once after an AUT_01. */
  renewTokensWith(renewal: TokenRenewal): void {
    this.#renewal = renewal;
  }

  async send(
    method: 'GET' | 'POST',
    path: string,
    params: Params = {},
    options: SendOptions = {},
  ): Promise<OkBody> {
    const renewal =
      options.anonymous === true || options.token !== undefined ? undefined : this.#renewal;
    await renewal?.beforeSend();
    // Sent whenever there is one: routes that do not need it ignore it.
    const token =
      options.anonymous === true ? undefined : (options.token ?? this.#settings.token());
    try {
      return await this.#sendWith(method, path, params, token);
    } catch (error) {
      // AUT_01 means the request was refused before anything was done: safe to send again.
      if (
        renewal === undefined ||
        token === undefined ||
        !(error instanceof PlazaApiError && error.code === 'AUT_01') ||
        !(await renewal.recover(token))
      ) {
        throw error;
      }
      return this.#sendWith(method, path, params, this.#settings.token());
    }
  }

  async #sendWith(
    method: 'GET' | 'POST',
    path: string,
    params: Params,
    token: string | undefined,
  ): Promise<OkBody> {
    for (let retry = 0; ; retry += 1) {
      const response = await this.#exchange(method, path, params, token);
      const body = await readBody(response, this.#settings.timeoutMs);
      if (isOkBody(body) && response.ok) return body;
      const error = apiError(response, body);
      if (error.code !== 'OFF_01' || retry >= this.#settings.overloadRetries) throw error;
      await sleep(retryDelayMs(response, retry));
    }
  }

  async #exchange(
    method: 'GET' | 'POST',
    path: string,
    params: Params,
    token: string | undefined,
  ): Promise<Response> {
    const defined = Object.entries(params).filter(
      (entry): entry is [string, string | number] => entry[1] !== undefined,
    );
    const url = new URL(path.replace(/^\//, ''), this.#settings.baseUrl);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    const init: RequestInit = {
      method,
      headers,
      signal: AbortSignal.timeout(this.#settings.timeoutMs),
    };
    if (method === 'GET') {
      for (const [key, value] of defined) url.searchParams.set(key, String(value));
    } else {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(Object.fromEntries(defined));
    }
    try {
      return await this.#settings.fetch(url.href, init);
    } catch (error) {
      const timedOut = isTimeout(error);
      throw new PlazaNetworkError(
        timedOut
          ? `No answer from ${url.origin} within ${this.#settings.timeoutMs} ms.`
          : `Cannot reach ${url.origin}.`,
        { cause: error, timedOut },
      );
    }
  }
}

async function readBody(response: Response, timeoutMs: number): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    // The time limit covers the body too: a server may send headers and then stall.
    const timedOut = isTimeout(error);
    throw new PlazaNetworkError(
      timedOut
        ? `The answer did not arrive in full within ${timeoutMs} ms.`
        : 'The connection broke while the answer was read.',
      { cause: error, timedOut },
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'TimeoutError';
}

function isOkBody(body: unknown): body is OkBody {
  if (typeof body !== 'object' || body === null) return false;
  const { code } = body as { code?: unknown };
  return code === 'OK' || code === 'PENDING';
}

const KNOWN_CODES: ReadonlySet<string> = new Set<PlazaErrorCode>([
  'PAR_01',
  'USR_01',
  'USR_02',
  'USR_03',
  'USR_04',
  'USR_05',
  'AUT_01',
  'AUT_02',
  'AUT_03',
  'AUT_04',
  'EXT_01',
  'OFF_01',
  'RAT_01',
  'SRV_01',
]);

function apiError(response: Response, body: unknown): PlazaApiError {
  const { status } = response;
  if (typeof body === 'object' && body !== null) {
    const { code, message, field, hint } = body as Record<string, unknown>;
    if (typeof code === 'string' && KNOWN_CODES.has(code) && typeof message === 'string') {
      return new PlazaApiError({
        code: code as PlazaErrorCode,
        message,
        status,
        field: typeof field === 'string' ? field : undefined,
        retryAfterSeconds: retryAfterSecondsOf(response),
        hint: typeof hint === 'string' ? hint : undefined,
      });
    }
  }
  return new PlazaApiError({
    code: 'UNEXPECTED_RESPONSE',
    message: `The server answered HTTP ${status} in a format Plaza does not use.`,
    status,
    cause: body,
  });
}

/** Plaza sends Retry-After in whole seconds; an HTTP date or garbage counts as none. */
function retryAfterSecondsOf(response: Response): number | undefined {
  const header = response.headers.get('retry-after')?.trim();
  if (header === undefined || !/^[0-9]+$/.test(header)) return undefined;
  return Number(header);
}

function retryDelayMs(response: Response, retry: number): number {
  const seconds = retryAfterSecondsOf(response);
  if (seconds !== undefined) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  return OVERLOAD_BACKOFF_MS * 2 ** retry * (0.5 + Math.random() / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
