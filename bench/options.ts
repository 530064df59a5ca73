import { parseArgs } from 'node:util';
import { CASE_NAMES, isCaseName, type CaseName } from './cases.js';
import {
  DATABASE_KINDS,
  SCALE_OUT_DEPLOYMENTS,
  type DatabaseKind,
  type Deployment,
  type InstanceCount,
} from './support/deployments.js';

export interface BenchOptions {
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  /** The cases to run, in bench order. */
  readonly cases: readonly CaseName[];
  /** Write a CPU profile of the server for each measured run to bench/profiles/. */
  readonly profile: boolean;
  /** Plaza's HTTP cases (like, create, read, login) run once on each, in this order. */
  readonly deployments: readonly Deployment[];
  /** Plaza's WebSocket cases run once on each (one instance). */
  readonly databases: readonly DatabaseKind[];
  /** `--scale-out`: the deployments are SQLite, PostgreSQL, and PostgreSQL with two instances. */
  readonly scaleOut: boolean;
}

export const USAGE =
  'Usage: npm run bench -- [--duration 10] [--connections 50] [--warmup 1] [--profile]\n' +
  '         [--db sqlite|postgres|both] [--instances 1|2] [--scale-out]\n' +
  `         [--only ${CASE_NAMES.join(',')}]`;

/** What `--scale-out` runs unless `--only` says otherwise. */
export const SCALE_OUT_CASES: readonly CaseName[] = ['koa-jwt', 'like', 'read'];

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
        db: { type: 'string' },
        instances: { type: 'string' },
        'scale-out': { type: 'boolean' },
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
  const scaleOut = values['scale-out'] ?? false;
  if (scaleOut && (values.db !== undefined || values.instances !== undefined)) {
    throw new BenchUsageError(
      '--scale-out chooses the databases and instances itself: leave out --db and --instances.',
    );
  }
  const databases = scaleOut ? DATABASE_KINDS : databasesFrom(values.db);
  const instances = instancesFrom(values.instances);
  const chosen = wanted ?? (scaleOut ? SCALE_OUT_CASES : CASE_NAMES);
  const deployments = scaleOut
    ? SCALE_OUT_DEPLOYMENTS
    : databases.map((database) => ({ database, instances }));
  // Server processes start cold, while Plaza in the bench process runs code V8 has already
  // optimised in the cases before: they get a longer warm-up unless told otherwise.
  const coldServers = deployments.some((deployment) => deployment.instances > 1);
  return {
    durationSeconds: wholeNumber('duration', values.duration, 10, 1),
    warmupSeconds: wholeNumber('warmup', values.warmup, coldServers ? 5 : 1, 0),
    connections: wholeNumber('connections', values.connections, 50, 1),
    cases: CASE_NAMES.filter((name) => chosen.includes(name)),
    profile: values.profile ?? false,
    deployments,
    databases,
    scaleOut,
  };
}

function databasesFrom(value: string | undefined): readonly DatabaseKind[] {
  switch (value ?? 'sqlite') {
    case 'sqlite':
      return ['sqlite'];
    case 'postgres':
      return ['postgres'];
    case 'both':
      return DATABASE_KINDS;
    default:
      throw new BenchUsageError(`--db must be sqlite, postgres or both; it is "${value}".`);
  }
}

function instancesFrom(value: string | undefined): InstanceCount {
  switch (value ?? '1') {
    case '1':
      return 1;
    case '2':
      return 2;
    default:
      throw new BenchUsageError(`--instances must be 1 or 2; it is "${value}".`);
  }
}
