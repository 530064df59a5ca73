import type { Knex } from 'knex';
import { ENRICHABLE_FIELDS } from '@plaza/core/host';
import { expectedFakeClearbitProfile } from '../../fakes/fakeClearbit.js';

/** An `enrichment_jobs` row with its user's email. */
export interface JobRecord {
  readonly id: number;
  readonly user_id: number;
  readonly email: string;
  readonly state: string;
  readonly attempts: number;
  readonly locked_until: Date | null;
  readonly last_error: string | null;
}

/** Every job, oldest first, with its user's email. */
export function jobRecords(db: Knex): Promise<JobRecord[]> {
  return db('enrichment_jobs')
    .join('users', 'users.id', 'enrichment_jobs.user_id')
    .select<JobRecord[]>(
      'enrichment_jobs.id',
      'enrichment_jobs.user_id',
      'users.email',
      'enrichment_jobs.state',
      'enrichment_jobs.attempts',
      'enrichment_jobs.locked_until',
      'enrichment_jobs.last_error',
    )
    .orderBy('enrichment_jobs.id');
}

/**
 * Waits (bounded) until at least `count` jobs exist and none is pending or running; on
 * timeout, the error tells how many jobs are in which state.
 */
export async function jobsSettled(db: Knex, count: number, timeoutMs: number): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const states = await db('enrichment_jobs')
      .select<Array<{ state: string; jobs: number }>>('state', db.raw('count(*)::int as jobs'))
      .groupBy('state')
      .orderBy('state');
    const total = states.reduce((sum, row) => sum + row.jobs, 0);
    const active = states.filter((row) => row.state === 'pending' || row.state === 'running');
    if (total >= count && active.length === 0) return;
    if (Date.now() > giveUpAt) {
      const shown = states.map((row) => `${row.jobs} ${row.state}`).join(', ');
      throw new Error(`after ${timeoutMs} ms, of ${count} jobs expected: ${shown || 'none'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Users whose stored profile is not what the fake Clearbit's person for their email fills in,
 * as `id email: field=stored` lines (empty when every profile matches).
 */
export async function profileMismatches(db: Knex, userIds: readonly number[]): Promise<string[]> {
  const rows = await db('users')
    .whereIn('id', userIds)
    .select<Array<Record<string, unknown>>>('id', 'email', ...ENRICHABLE_FIELDS);
  const mismatches: string[] = [];
  const found = new Set(rows.map((row) => row['id']));
  for (const id of userIds) if (!found.has(id)) mismatches.push(`${id}: no such user`);
  for (const row of rows) {
    const expected = expectedFakeClearbitProfile(String(row['email'])) as Record<string, unknown>;
    const wrong = ENRICHABLE_FIELDS.filter(
      (field) => (row[field] ?? undefined) !== expected[field],
    );
    if (wrong.length > 0) {
      const shown = wrong.map((field) => `${field}=${JSON.stringify(row[field])}`).join(' ');
      mismatches.push(`${String(row['id'])} ${String(row['email'])}: ${shown}`);
    }
  }
  return mismatches;
}

/** How many times each value occurs. */
export function tally(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
