import type { Knex } from 'knex';

/**
 * Runs a prepared SELECT and returns its rows, whichever driver answers: node-sqlite3 gives
 * the rows themselves, node-postgres an object holding them.
 */
export async function selectRows<Row>(
  db: Knex,
  sql: string,
  bindings: readonly Knex.Value[],
): Promise<Row[]> {
  const result: unknown = await db.raw(sql, bindings);
  if (Array.isArray(result)) return result as Row[];
  return (result as { rows?: Row[] }).rows ?? [];
}
