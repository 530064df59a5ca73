import type { ExecutionContext } from 'ava';
import { PlazaError, type ErrorCode } from '@plaza/core';

export interface ExpectedPlazaError {
  readonly code: ErrorCode;
  /** Checked when the key is present; `field: undefined` asserts there is no field. */
  readonly field?: string | undefined;
  readonly message?: string;
}

function check(t: ExecutionContext, error: PlazaError, expected: ExpectedPlazaError): void {
  t.is(error.code, expected.code);
  if ('field' in expected) t.is(error.field, expected.field);
  if (expected.message !== undefined) t.is(error.message, expected.message);
}

/** Asserts that `promise` rejects with a PlazaError of this code (and field, message). */
export async function rejectsWithPlazaError(
  t: ExecutionContext,
  promise: Promise<unknown>,
  expected: ExpectedPlazaError,
): Promise<PlazaError> {
  const error = await t.throwsAsync(promise, { instanceOf: PlazaError });
  check(t, error, expected);
  return error;
}

/** Asserts that `fn` throws, synchronously, a PlazaError of this code (and field, message). */
export function throwsPlazaError(
  t: ExecutionContext,
  fn: () => unknown,
  expected: ExpectedPlazaError,
): PlazaError {
  const error = t.throws(fn, { instanceOf: PlazaError });
  check(t, error, expected);
  return error;
}
