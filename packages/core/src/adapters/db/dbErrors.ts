import { ForeignKeyViolationError, UniqueViolationError } from 'objection';
import { DATABASE_FILE_LOST_REASON } from './DatabaseFileGuard.js';

interface DriverError {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly message?: unknown;
  readonly nativeError?: unknown;
}

const driverError = (error: unknown): DriverError =>
  typeof error === 'object' && error !== null
    ? (((error as DriverError).nativeError as DriverError | undefined) ?? error)
    : {};

const messageOf = (error: DriverError): string =>
  typeof error.message === 'string' ? error.message : '';

/** A unique index refused the row (SQLite's UNIQUE constraint, PostgreSQL's 23505). */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof UniqueViolationError) return true;
  const native = driverError(error);
  return (
    native.code === '23505' ||
    (native.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/.test(messageOf(native)))
  );
}

/** A row points at a row that does not exist (SQLite's FOREIGN KEY constraint, PostgreSQL's 23503). */
export function isForeignKeyViolation(error: unknown): boolean {
  if (error instanceof ForeignKeyViolationError) return true;
  const native = driverError(error);
  return (
    native.code === '23503' ||
    (native.code === 'SQLITE_CONSTRAINT' && messageOf(native).includes('FOREIGN KEY'))
  );
}

/**
 * The database stayed locked past the busy timeout, no connection came free in time, or too
 * many queries were waiting for one: the request is safe to retry.
 */
export function isDatabaseBusy(error: unknown): boolean {
  if (
    error instanceof Error &&
    (error.name === 'KnexTimeoutError' || error.name === 'DatabaseQueueFull')
  ) {
    return true;
  }
  const native = driverError(error);
  return (
    native.code === 'SQLITE_BUSY' || native.code === 'SQLITE_LOCKED' || native.code === '55P03'
  );
}

/** The database keeps timestamps as ISO strings (SQLite) or Date objects (PostgreSQL). */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function toIsoTimestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && ISO_UTC.test(value)) return value;
  if (typeof value === 'number') return new Date(value).toISOString();
  return new Date(String(value)).toISOString();
}

export const DISK_FULL_REASON = 'the disk is full';

/**
 * Why the database refused a write for a reason of its storage (a full disk, an I/O error, a
 * read-only or lost file), or undefined for any other failure. Such a request is answered
 * OFF_01, and the health check reports the database unwritable until a write succeeds.
 */
export function unwritableReason(error: unknown): string | undefined {
  const native = driverError(error);
  switch (native.code) {
    case 'SQLITE_FULL':
    case '53100':
      return DISK_FULL_REASON;
    case 'SQLITE_IOERR':
    case '58030':
      return 'the disk reported an I/O error';
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case '25006':
      return 'the database cannot be written (read-only or unopenable)';
    case 'PLAZA_DATABASE_FILE_LOST':
      return DATABASE_FILE_LOST_REASON;
    default:
      return undefined;
  }
}

/**
 * PostgreSQL gave up on a transaction because of another one (a deadlock, 40P01, or a
 * serialization failure, 40001): running it again may well succeed.
 */
export function isTransactionConflict(error: unknown): boolean {
  const { code } = driverError(error);
  return code === '40P01' || code === '40001';
}
