/** The error codes a Plaza server answers with; clients match on them. */
export type PlazaErrorCode =
  | 'PAR_01'
  | 'USR_01'
  | 'USR_02'
  | 'USR_03'
  | 'USR_04'
  | 'USR_05'
  | 'AUT_01'
  | 'AUT_02'
  | 'AUT_03'
  /** Signed in, but not allowed to do this (another person's activity, say): HTTP 403. */
  | 'AUT_04'
  | 'EXT_01'
  | 'OFF_01'
  /** Too many requests (sign-ups, writes) for now; `Retry-After` says how long to wait. */
  | 'RAT_01'
  | 'SRV_01'
  /** The server's answer was not in Plaza's format (a proxy's error page, say). */
  | 'UNEXPECTED_RESPONSE';

export interface PlazaApiErrorDetails {
  readonly code: PlazaErrorCode;
  readonly message: string;
  readonly status: number;
  readonly field?: string | undefined;
  /** From the answer's `Retry-After` header (AUT_03, RAT_01, OFF_01), when it has one. */
  readonly retryAfterSeconds?: number | undefined;
  /** From the answer's `hint` (USR_04), when it has one. */
  readonly hint?: string | undefined;
  readonly cause?: unknown;
}

/**
 * The server answered, and the answer is an error. `code` and `message` are the server's;
 * `field` names the parameter at fault when there is one, and `hint` (USR_04) what to fix.
 *
 * @example if (isPlazaApiError(error) && error.code === 'USR_05') pickAnotherName()
 */
export class PlazaApiError extends Error {
  override readonly name = 'PlazaApiError';
  readonly code: PlazaErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  /** How long the server asks you to wait before trying again (AUT_03, RAT_01, OFF_01). */
  readonly retryAfterSeconds: number | undefined;
  /**
   * For USR_04, which rule the password failed, in words to show the person who chose it
   * ("Too short. Use at least 8 characters."); `message` stays "Password too weak.".
   */
  readonly hint: string | undefined;

  constructor(details: PlazaApiErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.status = details.status;
    this.field = details.field;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.hint = details.hint;
  }
}

/**
 * No answer came: the server could not be reached, the connection broke, or the request
 * timed out. Whether the request took effect is unknown.
 *
 * @example if (isPlazaNetworkError(error)) showOfflineBanner()
 */
export class PlazaNetworkError extends Error {
  override readonly name = 'PlazaNetworkError';
  readonly timedOut: boolean;

  constructor(message: string, options: { readonly cause?: unknown; readonly timedOut?: boolean }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.timedOut = options.timedOut ?? false;
  }
}

/** @example catch (error) { if (isPlazaApiError(error)) console.log(error.code, error.field) } */
export function isPlazaApiError(value: unknown): value is PlazaApiError {
  return value instanceof PlazaApiError;
}

/** @example catch (error) { if (isPlazaNetworkError(error)) retryLater() } */
export function isPlazaNetworkError(value: unknown): value is PlazaNetworkError {
  return value instanceof PlazaNetworkError;
}
