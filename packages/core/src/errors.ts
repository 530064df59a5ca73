/** The stable error codes of Plaza's HTTP contract; clients match on them. */
export type ErrorCode =
  | 'PAR_01'
  | 'USR_01'
  | 'USR_02'
  | 'USR_03'
  | 'USR_04'
  | 'USR_05'
  | 'AUT_01'
  | 'AUT_02'
  | 'AUT_03'
  | 'AUT_04'
  | 'EXT_01'
  | 'OFF_01'
  | 'RAT_01';

export interface PlazaErrorOptions {
  readonly field?: string;
  readonly cause?: unknown;
  /** For AUT_03 and RAT_01: whole seconds before trying again is worth it (`Retry-After`). */
  readonly retryAfterSeconds?: number;
  /** For USR_04: which rule the password failed, in words for the person who chose it. */
  readonly hint?: string;
}

/**
 * An expected failure with a code, a client-safe message and, when it concerns one
 * parameter, that parameter's name.
 *
 * @example throw new PlazaError('USR_01', 'Object not found.')
 */
export class PlazaError extends Error {
  override readonly name = 'PlazaError';
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** For USR_04: which rule the password failed, e.g. "Too short. Use at least 8 characters." */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: PlazaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.hint = options.hint;
  }
}

/** @example if (isPlazaError(err) && err.code === 'USR_05') retryWithAnotherName() */
export function isPlazaError(value: unknown): value is PlazaError {
  return value instanceof PlazaError;
}

export const MISSING_PARAM_MESSAGE = 'Missing HTTP param.';
export const NOT_FOUND_MESSAGE = 'Object not found.';
export const EMAIL_DOES_NOT_VERIFY_MESSAGE = 'Email does not verify.';
export const PASSWORD_TOO_WEAK_MESSAGE = 'Password too weak.';
export const USERNAME_TAKEN_MESSAGE = 'User with this username already exists.';
export const INVALID_TOKEN_MESSAGE = 'The auth token is invalid.';
export const WRONG_CREDENTIALS_MESSAGE = 'Unable to log in with provided credentials.';
export const HUNTER_UNAVAILABLE_MESSAGE =
  'Cannot connect to hunter.io for socialuser email verification. Try again.';
export const OVERLOADED_MESSAGE = 'Server overloaded, try again.';
export const NOT_ALLOWED_MESSAGE = 'Not allowed.';
export const TOO_MANY_LOGINS_MESSAGE = 'Too many failed logins; try again later.';
export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests, slow down.';

export const missingParam = (field: string): PlazaError =>
  new PlazaError('PAR_01', MISSING_PARAM_MESSAGE, { field });

export const malformedParam = (field: string, message: string): PlazaError =>
  new PlazaError('USR_02', message, { field });

export const objectNotFound = (): PlazaError => new PlazaError('USR_01', NOT_FOUND_MESSAGE);

export const emailDoesNotVerify = (): PlazaError =>
  new PlazaError('USR_03', EMAIL_DOES_NOT_VERIFY_MESSAGE, { field: 'email' });

/**
 * `field` names the parameter: `password` at sign-up, `new_password` for a change; `hint`
 * says which rule the password failed. The message stays the original service's.
 */
export const passwordTooWeak = (field = 'password', hint?: string): PlazaError =>
  new PlazaError(
    'USR_04',
    PASSWORD_TOO_WEAK_MESSAGE,
    hint === undefined ? { field } : { field, hint },
  );

export const usernameTaken = (): PlazaError =>
  new PlazaError('USR_05', USERNAME_TAKEN_MESSAGE, { field: 'username' });

export const invalidToken = (cause?: unknown): PlazaError =>
  new PlazaError('AUT_01', INVALID_TOKEN_MESSAGE, { field: 'TOKEN', cause });

export const wrongCredentials = (): PlazaError =>
  new PlazaError('AUT_02', WRONG_CREDENTIALS_MESSAGE);

/** AUT_04: the token is valid, but its user may not do this (ask about another person, say). */
export const notAllowed = (): PlazaError => new PlazaError('AUT_04', NOT_ALLOWED_MESSAGE);

/** The email verifier could not give a verdict; nothing was saved. */
export const emailVerifierUnavailable = (cause?: unknown): PlazaError =>
  new PlazaError('EXT_01', HUNTER_UNAVAILABLE_MESSAGE, { cause });

export const overloaded = (cause?: unknown): PlazaError =>
  new PlazaError('OFF_01', OVERLOADED_MESSAGE, { cause });

/** AUT_03: the username or the client is locked out after failed logins. */
export const tooManyLogins = (retryAfterSeconds: number): PlazaError =>
  new PlazaError('AUT_03', TOO_MANY_LOGINS_MESSAGE, { retryAfterSeconds });

/** RAT_01: a rate limit (sign-ups, writes) is used up for now. */
export const tooManyRequests = (retryAfterSeconds: number): PlazaError =>
  new PlazaError('RAT_01', TOO_MANY_REQUESTS_MESSAGE, { retryAfterSeconds });

/** Configuration that cannot work; thrown at start-up, before anything listens. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const MIN_JWT_SECRET_BYTES_MESSAGE =
  'JWT_SECRET must be at least 32 bytes long; generate one with: openssl rand -base64 48';
