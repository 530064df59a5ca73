import type { Knex } from 'knex';

/**
 * Runs a raw statement that returns rows (a SELECT, or a write with RETURNING) and returns
 * them, whichever driver answers: node-sqlite3 gives the rows themselves, node-postgres an
 * object holding them.
 */
export async function selectRows<Row>(
  db: Knex,
  sql: string,
  bindings: readonly Knex.RawBinding[] | Knex.ValueDict = [],
): Promise<Row[]> {
  const result: unknown = await db.raw(sql, bindings);
  if (Array.isArray(result)) return result as Row[];
  return (result as { rows?: Row[] }).rows ?? [];
}
