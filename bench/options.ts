import { parseArgs } from 'node:util';
import { CASE_NAMES, isCaseName, type CaseName } from './cases.js';

export interface BenchOptions {
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  /** The cases to run, in bench order. */
  readonly cases: readonly CaseName[];
  /** Write a CPU profile of the server for each measured run to bench/profiles/. */
  readonly profile: boolean;
}

export const USAGE = `Usage: npm run bench -- [--duration 10] [--connections 50] [--warmup 1] [--profile] [--only ${CASE_NAMES.join(',')}]`;

/** Thrown for a flag the bench cannot use; run.ts prints it with the usage line. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

function wholeNumber(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  const number = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min) {
    throw new BenchUsageError(
      `--${flag} must be a whole number of at least ${min}; it is "${value}".`,
    );
  }
  return number;
}

/**
 * Reads the bench's flags.
 *
 * @example parseBenchOptions(['--duration', '2', '--only', 'koa-jwt,like'])
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        duration: { type: 'string' },
        connections: { type: 'string' },
        warmup: { type: 'string' },
        only: { type: 'string' },
        profile: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BenchUsageError(error instanceof Error ? error.message : String(error));
  }
  const wanted = values.only
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = wanted?.filter((name) => !isCaseName(name)) ?? [];
  if (unknown.length > 0) {
    throw new BenchUsageError(
      `--only: unknown case ${unknown.join(', ')}; the cases are ${CASE_NAMES.join(', ')}.`,
    );
  }
  if (wanted?.length === 0) throw new BenchUsageError('--only needs at least one case name.');
  return {
    durationSeconds: wholeNumber('duration', values.duration, 10, 1),
    warmupSeconds: wholeNumber('warmup', values.warmup, 1, 0),
    connections: wholeNumber('connections', values.connections, 50, 1),
    cases: CASE_NAMES.filter((name) => wanted === undefined || wanted.includes(name)),
    profile: values.profile ?? false,
  };
}
