import { ConfigError, emailVerifierUnavailable } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { EmailVerdict, EmailVerifier } from '../../users/EmailVerifier.js';
import {
  exchangeWithProvider,
  isRecord,
  parseJson,
  positiveMs,
  providerBaseUrl,
  redact,
  requiredKey,
} from '../http/providerExchange.js';

export interface HunterEmailVerifierOptions {
  /** Hunter secret key; sent as the `api_key` query parameter, never logged. */
  readonly apiKey: string;
  /** Default `https://api.hunter.io`; tests point it at a local fake. */
  readonly baseUrl?: string;
  /** Limit for one HTTP request, default 5000 ms. */
  readonly timeoutMs?: number;
  /** Limit for one `verify()`, 202/222 repeats included, default 10000 ms. */
  readonly budgetMs?: number;
  /** Pause before repeating a 202/222 answer, default 1000 ms. */
  readonly retryDelayMs?: number;
  /** When Hunter cannot decide, accept the address as `unverified` instead of throwing EXT_01. */
  readonly failOpen?: boolean;
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
}

/** Why Hunter gave no verdict; the `cause` of the EXT_01 error. Holds no URL and no key. */
export type HunterFailureReason = 'http_status' | 'bad_body' | 'timeout' | 'network';

/**
 * The cause attached to EXT_01. Built only from status codes, Hunter error ids and error
 * codes, so it can be logged safely.
 *
 * @example if (err.cause instanceof HunterFailure && err.cause.status === 401) alertOps()
 */
export class HunterFailure extends Error {
  override readonly name = 'HunterFailure';
  readonly reason: HunterFailureReason;
  readonly status: number | undefined;
  readonly errorIds: readonly string[];

  constructor(
    reason: HunterFailureReason,
    message: string,
    details: { readonly status?: number; readonly errorIds?: readonly string[] } = {},
  ) {
    super(message);
    this.reason = reason;
    this.status = details.status;
    this.errorIds = details.errorIds ?? [];
  }
}

type Outcome =
  | { readonly kind: 'verdict'; readonly verdict: EmailVerdict }
  | { readonly kind: 'pending'; readonly status: number }
  | { readonly kind: 'failure'; readonly failure: HunterFailure };

const OWNER = 'HunterEmailVerifier';
const DEFAULT_BASE_URL = 'https://api.hunter.io';
const ACCEPTED = new Set(['valid', 'accept_all', 'webmail', 'unknown'] as const);
const REJECTED = new Set(['invalid', 'disposable'] as const);
// Hunter error ids are snake_case words; anything else is dropped rather than echoed.
const ERROR_ID = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Asks Hunter's email verifier whether an address may sign up (see PROVIDERS.md for the
 * policy): `invalid`/`disposable` are rejected, 202/222 are repeated within the budget and
 * then taken as `unknown`, 451 is accepted as `unverified`, anything else throws EXT_01.
 *
 * @example const verdict = await new HunterEmailVerifier({ apiKey }).verify('ada@example.com')
 */
export class HunterEmailVerifier implements EmailVerifier {
  readonly name = 'hunter';

  readonly #apiKey: string;
  readonly #endpoint: string;
  readonly #timeoutMs: number;
  readonly #budgetMs: number;
  readonly #retryDelayMs: number;
  readonly #failOpen: boolean;
  readonly #fetch: typeof fetch | undefined;
  readonly #logger: Logger;

  constructor(options: HunterEmailVerifierOptions) {
    this.#apiKey = requiredKey(OWNER, options.apiKey);
    this.#endpoint = `${providerBaseUrl(OWNER, options.baseUrl ?? DEFAULT_BASE_URL)}/v2/email-verifier`;
    this.#timeoutMs = positiveMs(OWNER, 'timeoutMs', options.timeoutMs ?? 5000);
    this.#budgetMs = positiveMs(OWNER, 'budgetMs', options.budgetMs ?? 10_000);
    this.#retryDelayMs = nonNegative('retryDelayMs', options.retryDelayMs ?? 1000);
    this.#failOpen = options.failOpen ?? false;
    this.#fetch = options.fetch;
    this.#logger = options.logger ?? silentLogger;
  }

  async verify(email: string): Promise<EmailVerdict> {
    const deadline = Date.now() + this.#budgetMs;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const remaining = deadline - Date.now();
      const timeoutMs = Math.min(this.#timeoutMs, remaining);
      const outcome = await this.#ask(email, timeoutMs);

      if (outcome.kind === 'verdict') return outcome.verdict;

      if (outcome.kind === 'failure') {
        // After a 202/222, running out of budget mid-request means "still verifying".
        const cutByBudget = timeoutMs < this.#timeoutMs && outcome.failure.reason === 'timeout';
        if (attempts > 1 && cutByBudget) return this.#stillPending(attempts);
        return this.#fail(outcome.failure);
      }

      // 202/222: repeat only if the pause leaves time for another request.
      const left = deadline - Date.now();
      if (left <= this.#retryDelayMs) return this.#stillPending(attempts);
      this.#logger.debug(
        { verifier: this.name, status: outcome.status, attempt: attempts },
        'Hunter is still verifying; asking again',
      );
      await sleep(this.#retryDelayMs);
    }
  }

  async #ask(email: string, timeoutMs: number): Promise<Outcome> {
    const query = new URLSearchParams({ email, api_key: this.#apiKey }).toString();
    const exchange = await exchangeWithProvider({
      url: `${this.#endpoint}?${query}`,
      headers: {},
      timeoutMs,
      fetch: this.#fetch ?? globalThis.fetch,
    });
    if (exchange.kind === 'timeout') {
      return failure('timeout', `Hunter did not answer within ${timeoutMs} ms`);
    }
    if (exchange.kind === 'network') {
      return failure('network', `Hunter request failed (${exchange.description})`);
    }
    return interpret(exchange.status, exchange.body);
  }

  #stillPending(attempts: number): EmailVerdict {
    this.#logger.info(
      { verifier: this.name, attempts },
      'Hunter was still verifying when the time budget ran out; accepting as unknown',
    );
    return { deliverable: true, status: 'unknown' };
  }

  #fail(cause: HunterFailure): EmailVerdict {
    const safeCause = new HunterFailure(cause.reason, this.#redact(cause.message), {
      ...(cause.status === undefined ? {} : { status: cause.status }),
      errorIds: cause.errorIds.map((id) => this.#redact(id)),
    });
    const fields = {
      verifier: this.name,
      reason: safeCause.reason,
      status: safeCause.status,
      errorIds: safeCause.errorIds,
      cause: safeCause.message,
    };
    if (this.#failOpen) {
      this.#logger.warn(fields, 'Hunter gave no verdict; accepting the address as unverified');
      return { deliverable: true, status: 'unverified' };
    }
    // A bad key will not fix itself: make it louder than a passing outage.
    if (safeCause.status === 401) this.#logger.error(fields, 'Hunter rejected the api key');
    else this.#logger.warn(fields, 'Hunter gave no verdict');
    throw emailVerifierUnavailable(safeCause);
  }

  #redact(text: string): string {
    return redact(text, this.#apiKey);
  }
}

function interpret(status: number, body: string): Outcome {
  switch (status) {
    case 200:
      return interpretVerdict(body);
    case 202:
    case 222:
      return { kind: 'pending', status };
    case 400: {
      const errorIds = errorIdsOf(body);
      if (errorIds.includes('invalid_email')) {
        return { kind: 'verdict', verdict: { deliverable: false, status: 'invalid' } };
      }
      return failure('http_status', describeStatus(status, errorIds), { status, errorIds });
    }
    case 451:
      // claimed_email: the owner opted out; accept and keep nothing Hunter said.
      return { kind: 'verdict', verdict: { deliverable: true, status: 'unverified' } };
    default: {
      const errorIds = errorIdsOf(body);
      return failure('http_status', describeStatus(status, errorIds), { status, errorIds });
    }
  }
}

function interpretVerdict(body: string): Outcome {
  const parsed = parseJson(body);
  const data = isRecord(parsed) ? parsed['data'] : undefined;
  const status = isRecord(data) ? data['status'] : undefined;
  if (typeof status !== 'string') {
    return failure('bad_body', 'Hunter answered HTTP 200 without a data.status', { status: 200 });
  }
  if (isOneOf(ACCEPTED, status)) return { kind: 'verdict', verdict: { deliverable: true, status } };
  if (isOneOf(REJECTED, status))
    return { kind: 'verdict', verdict: { deliverable: false, status } };
  const shown = ERROR_ID.test(status) ? ` "${status}"` : '';
  return failure('bad_body', `Hunter answered HTTP 200 with an unknown data.status${shown}`, {
    status: 200,
  });
}

function errorIdsOf(body: string): string[] {
  const parsed = parseJson(body);
  const errors = isRecord(parsed) ? parsed['errors'] : undefined;
  if (!Array.isArray(errors)) return [];
  return errors
    .map((entry: unknown) => (isRecord(entry) ? entry['id'] : undefined))
    .filter((id): id is string => typeof id === 'string' && ERROR_ID.test(id));
}

function describeStatus(status: number, errorIds: readonly string[]): string {
  const ids = errorIds.length > 0 ? ` (${errorIds.join(', ')})` : '';
  return `Hunter answered HTTP ${status}${ids}`;
}

function failure(
  reason: HunterFailureReason,
  message: string,
  details: { readonly status?: number; readonly errorIds?: readonly string[] } = {},
): Outcome {
  return { kind: 'failure', failure: new HunterFailure(reason, message, details) };
}

function isOneOf<T extends string>(set: ReadonlySet<T>, value: string): value is T {
  return (set as ReadonlySet<string>).has(value);
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(`HunterEmailVerifier ${name} must be zero or a positive number.`);
  }
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
