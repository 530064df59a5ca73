import type { Knex } from 'knex';
import { dialectOf, selectRows } from '@plaza/testkit';

/** One foreign key, as the database declares it: `table.column` → `references.referencedColumn`. */
export interface ForeignKey {
  readonly table: string;
  readonly column: string;
  readonly references: string;
  readonly referencedColumn: string;
}

export type Row = Readonly<Record<string, unknown>>;

const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Every table of Plaza's database, from the database's own catalogue (SQLite's
 * `sqlite_master`, PostgreSQL's `information_schema` for Plaza's schema), so that a table a
 * later migration adds is walked too.
 */
export async function tablesOf(db: Knex): Promise<string[]> {
  if (dialectOf(db) === 'postgres') {
    const rows = await selectRows<{ name: string }>(
      db,
      `select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
    );
    return rows.map((row) => row.name);
  }
  const rows = await selectRows<{ name: string }>(
    db,
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by 1",
  );
  return rows.map((row) => row.name);
}

/** Every (single-column) foreign key between Plaza's tables, from the database's catalogue. */
export async function foreignKeysOf(db: Knex, tables: readonly string[]): Promise<ForeignKey[]> {
  if (dialectOf(db) === 'postgres') {
    return selectRows<ForeignKey>(
      db,
      `select cl.relname as "table", att.attname as "column",
              rcl.relname as "references", ratt.attname as "referencedColumn"
         from pg_constraint c
         join pg_class cl on cl.oid = c.conrelid
         join pg_class rcl on rcl.oid = c.confrelid
         join pg_attribute att on att.attrelid = c.conrelid and att.attnum = c.conkey[1]
         join pg_attribute ratt on ratt.attrelid = c.confrelid and ratt.attnum = c.confkey[1]
        where c.contype = 'f'
          and cl.relnamespace = (select oid from pg_namespace where nspname = current_schema())`,
    );
  }
  const keys: ForeignKey[] = [];
  for (const table of tables) {
    const rows = await selectRows<{ table: string; from: string; to: string }>(
      db,
      `PRAGMA foreign_key_list(${quoted(table)})`,
    );
    for (const row of rows) {
      keys.push({ table, column: row.from, references: row.table, referencedColumn: row.to });
    }
  }
  return keys;
}

export async function rowsOf(db: Knex, table: string): Promise<Row[]> {
  return selectRows<Row>(db, `select * from ${quoted(table)}`);
}

/**
 * The rows that belong to a user: their `users` row, every row whose foreign key points at a
 * row that belongs to them (their posts, likes, sessions…), and so on until nothing is added
 * (the likes and comments others gave their posts, the refresh tokens of their sessions).
 * By table, each row with the values its foreign keys are compared on.
 */
export async function rowsBelongingTo(db: Knex, userId: number): Promise<Map<string, Row[]>> {
  const tables = await tablesOf(db);
  const keys = await foreignKeysOf(db, tables);
  const all = new Map<string, Row[]>();
  for (const table of tables) all.set(table, await rowsOf(db, table));
  const owned = new Map<string, Row[]>([
    ['users', (all.get('users') ?? []).filter((row) => Number(row['id']) === userId)],
  ]);
  for (let added = true; added;) {
    added = false;
    for (const key of keys) {
      const targets = new Set(
        (owned.get(key.references) ?? []).map((row) => String(row[key.referencedColumn])),
      );
      if (targets.size === 0) continue;
      const mine = owned.get(key.table) ?? [];
      for (const row of all.get(key.table) ?? []) {
        if (mine.includes(row) || !targets.has(String(row[key.column]))) continue;
        mine.push(row);
        added = true;
      }
      owned.set(key.table, mine);
    }
  }
  return owned;
}
