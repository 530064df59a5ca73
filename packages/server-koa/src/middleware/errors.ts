import type { Middleware } from 'koa';
import { type ErrorCode, isPlazaError } from '@plaza/core';
import type { Logger } from 'pino';
import { noteRefusal, requestIdOf } from './requestLog.js';

/** The one table from error code to HTTP status. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  PAR_01: 400,
  USR_01: 404,
  USR_02: 400,
  USR_03: 400,
  USR_04: 400,
  USR_05: 409,
  AUT_01: 401,
  AUT_02: 401,
  AUT_03: 429,
  AUT_04: 403,
  EXT_01: 502,
  OFF_01: 503,
  RAT_01: 429,
};

/** The code of a failure that is ours, not the client's. Its details are logged, never sent. */
export const INTERNAL_ERROR_CODE = 'SRV_01';

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly field?: string;
  /** USR_04: which rule the password failed, in words for the person who chose it. */
  readonly hint?: string;
}

interface HttpError {
  readonly status?: unknown;
  readonly statusCode?: unknown;
  readonly type?: unknown;
  readonly expose?: unknown;
}

/** What a client did wrong at the HTTP level (a body too large, not JSON, …), in our format. */
function fromHttpError(error: HttpError): { status: number; body: ErrorBody } | undefined {
  const status = typeof error.status === 'number' ? error.status : error.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) {
    return { status, body: { code: 'USR_02', message: 'The request body is too large.' } };
  }
  if (status === 415) {
    return {
      status,
      body: { code: 'USR_02', message: 'The request body has an unsupported encoding.' },
    };
  }
  if (error.type === 'entity.parse.failed' || status === 400) {
    return {
      status: 400,
      body: { code: 'USR_02', message: 'The request body is not valid JSON.' },
    };
  }
  return { status, body: { code: 'USR_02', message: 'The request cannot be read.' } };
}

/**
 * Turns every failure into SPEC's error format: PlazaErrors by the table, HTTP-level
 * client errors as USR_02, and anything else as a bare 500 whose details go to the log.
 */
export function errorHandler(logger: Logger): Middleware {
  return async function handleErrors(ctx, next) {
    try {
      await next();
    } catch (error) {
      if (isPlazaError(error)) {
        ctx.status = HTTP_STATUS[error.code];
        if (error.retryAfterSeconds !== undefined) {
          ctx.set('Retry-After', String(error.retryAfterSeconds));
        }
        ctx.body = {
          code: error.code,
          message: error.message,
          ...(error.field === undefined ? {} : { field: error.field }),
          ...(error.hint === undefined ? {} : { hint: error.hint }),
        } satisfies ErrorBody;
        if (error.code === 'EXT_01' || error.code === 'OFF_01') {
          // On the request's own log line (at warn): a flood of refusals is one line each.
          noteRefusal(ctx, { code: error.code, reason: describeCause(error.cause) });
        }
        return;
      }
      const clientError = fromHttpError(error as HttpError);
      if (clientError) {
        ctx.status = clientError.status;
        ctx.body = clientError.body;
        return;
      }
      logger.error({ req_id: requestIdOf(ctx), err: error }, 'unhandled error');
      ctx.status = 500;
      ctx.body = {
        code: INTERNAL_ERROR_CODE,
        message: 'Internal server error.',
      } satisfies ErrorBody;
    }
  };
}

/** A cause's name and message only: provider errors are built to carry no secrets. */
function describeCause(cause: unknown): string | undefined {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return typeof cause === 'string' ? cause : undefined;
}
