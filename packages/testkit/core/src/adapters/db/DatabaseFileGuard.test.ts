import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Knex } from 'knex';
import { createKnex } from './createKnex.js';
import { DatabaseFileGuard, DatabaseFileLost } from './DatabaseFileGuard.js';

async function guarded(t: {
  teardown(fn: () => Promise<void>): void;
}): Promise<{ db: Knex; guard: DatabaseFileGuard; file: string; lost: string[] }> {
  const file = join(mkdtempSync(join(tmpdir(), 'plaza-guard-')), 'plaza.sqlite');
  const lost: string[] = [];
  const guard = new DatabaseFileGuard(file, () => lost.push(file));
  const db = createKnex(
    { client: 'sqlite', filename: file },
    { busyTimeoutMs: 100, fileGuard: guard },
  );
  t.teardown(() => db.destroy());
  await db.schema.createTable('notes', (table) => table.integer('id').primary());
  await db('notes').insert({ id: 1 });
  return { db, guard, file, lost };
}

test('writes go through while the file is the one opened', async (t) => {
  const { db, guard } = await guarded(t);
  await db.transaction(async (trx) => {
    await trx('notes').insert({ id: 2 });
    await trx('notes').insert({ id: 3 });
  });
  t.is(guard.lostReason(), undefined);
  t.is((await db('notes').select('id')).length, 3);
});

test('once the file is deleted, a write and a transaction are refused, reads still work, and it is said once', async (t) => {
  const { db, guard, file, lost } = await guarded(t);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  await t.throwsAsync(db('notes').insert({ id: 2 }), { instanceOf: DatabaseFileLost });
  await t.throwsAsync(
    db.transaction(async (trx) => {
      await trx('notes').insert({ id: 3 });
    }),
    { instanceOf: DatabaseFileLost },
  );
  // The refused COMMIT was rolled back: the connection is usable and holds no write.
  t.deepEqual(
    (await db('notes').select('id')).map((row: { id: number }) => row.id),
    [1],
  );
  t.regex(guard.lostReason() ?? '', /deleted or replaced/);
  t.is(lost.length, 1);
});

test('a file moved over the database counts as lost too', async (t) => {
  const { db, file } = await guarded(t);
  const other = `${file}.other`;
  writeFileSync(other, '');
  renameSync(other, file);
  await t.throwsAsync(db('notes').insert({ id: 2 }), { instanceOf: DatabaseFileLost });
});
