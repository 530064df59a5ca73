import test from 'ava';
import type { Knex } from 'knex';
import { PlazaError } from '../../errors.js';
import { createKnex } from './createKnex.js';
import { WriteBatcher } from './WriteBatcher.js';

async function database(t: { teardown(fn: () => Promise<void>): void }): Promise<Knex> {
  const db = createKnex({ client: 'sqlite', filename: ':memory:' }, { busyTimeoutMs: 100 });
  t.teardown(() => db.destroy());
  await db.schema.createTable('parents', (table) => table.integer('id').primary());
  await db.schema.createTable('children', (table) => {
    table.integer('id').primary();
    table.integer('parent_id').references('id').inTable('parents');
  });
  await db('parents').insert({ id: 1 });
  return db;
}

test('writes that arrive together share one transaction and all land', async (t) => {
  const db = await database(t);
  let transactions = 0;
  db.on('query', (query: { sql: string }) => {
    if (/^begin/i.test(query.sql)) transactions += 1;
  });
  const batcher = new WriteBatcher(db);
  const ids = Array.from({ length: 50 }, (_, i) => i + 1);
  await Promise.all(
    ids.map((id) => batcher.write((trx) => trx('children').insert({ id, parent_id: 1 }))),
  );
  t.is(transactions, 1);
  t.deepEqual(
    (await db('children').select('id').orderBy('id')).map((row: { id: number }) => row.id),
    ids,
  );
});

test("a constraint failure is its caller's alone; the rest of the batch commits", async (t) => {
  const db = await database(t);
  const batcher = new WriteBatcher(db);
  const [good, orphan, duplicate, alsoGood] = await Promise.allSettled([
    batcher.write((trx) => trx('children').insert({ id: 1, parent_id: 1 })),
    batcher.write((trx) => trx('children').insert({ id: 2, parent_id: 99 })),
    batcher.write((trx) => trx('children').insert({ id: 1, parent_id: 1 })),
    batcher.write((trx) => trx('children').insert({ id: 3, parent_id: 1 })),
  ]);
  t.is(good.status, 'fulfilled');
  t.is(orphan.status, 'rejected');
  t.is(duplicate.status, 'rejected');
  t.is(alsoGood.status, 'fulfilled');
  t.deepEqual(
    (await db('children').select('id').orderBy('id')).map((row: { id: number }) => row.id),
    [1, 3],
  );
});

test('any other failure rolls the whole batch back and rejects every caller', async (t) => {
  const db = await database(t);
  const batcher = new WriteBatcher(db);
  const results = await Promise.allSettled([
    batcher.write((trx) => trx('children').insert({ id: 1, parent_id: 1 })),
    batcher.write((trx) => trx('no_such_table').insert({ id: 1 })),
    batcher.write((trx) => trx('children').insert({ id: 2, parent_id: 1 })),
  ]);
  t.deepEqual(
    results.map((result) => result.status),
    ['rejected', 'rejected', 'rejected'],
  );
  t.deepEqual(await db('children').select('id'), []);
  // The batcher goes on working afterwards.
  await batcher.write((trx) => trx('children').insert({ id: 5, parent_id: 1 }));
  t.is((await db('children').count({ n: '*' }))[0]?.['n'], 1);
});

test('close() commits and answers the writes already queued, then refuses new ones with OFF_01', async (t) => {
  const db = await database(t);
  const batcher = new WriteBatcher(db);
  const queued = [1, 2, 3].map((id) =>
    batcher.write((trx) => trx('children').insert({ id, parent_id: 1 })),
  );
  await batcher.close();
  // Answered by the time close() resolves: the database may be closed now.
  t.is((await db('children').count({ n: '*' }).first())?.['n'], 3);
  await Promise.all(queued);
  const late = batcher.write((trx) => trx('children').insert({ id: 4, parent_id: 1 }));
  const refused = await t.throwsAsync(late, { instanceOf: PlazaError });
  t.is(refused.code, 'OFF_01');
});
