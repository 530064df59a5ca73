import test from 'ava';
import sqlite3 from 'sqlite3';
import { cacheStatements, type SqliteConnection } from './statementCache.js';

interface Outcome {
  readonly error: string | null;
  readonly rows: unknown;
  readonly lastID: unknown;
  readonly changes: unknown;
}

async function openDatabase(capacity?: number) {
  const db = new sqlite3.Database(':memory:');
  const connection = db as unknown as SqliteConnection;
  const prepared: string[] = [];
  const prepare = connection.prepare.bind(connection);
  connection.prepare = (sql, callback) => {
    prepared.push(sql);
    return prepare(sql, callback);
  };
  cacheStatements(connection, capacity);
  await new Promise<void>((resolve, reject) =>
    connection.exec('create table t (id integer primary key, v text unique)', (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  const call = (method: 'run' | 'all', sql: string, params: unknown[] = []) =>
    new Promise<Outcome>((resolve) => {
      connection[method](sql, params, function (this: unknown, error, rows) {
        const context = this as { lastID?: unknown; changes?: unknown };
        resolve({
          error: error?.message ?? null,
          rows,
          lastID: context.lastID,
          changes: context.changes,
        });
      });
    });
  return { db, call, prepared };
}

test('a statement run again is prepared once, with fresh lastID and changes', async (t) => {
  const { db, call, prepared } = await openDatabase();
  t.teardown(() => db.close());
  const insert = 'insert into t (v) values (?)';
  t.like(await call('run', insert, ['a']), { error: null, lastID: 1, changes: 1 });
  t.like(await call('run', insert, ['b']), { error: null, lastID: 2, changes: 1 });
  t.like(await call('run', 'delete from t where v = ?', ['none']), { changes: 0 });
  t.deepEqual((await call('all', 'select v from t order by id', [])).rows, [
    { v: 'a' },
    { v: 'b' },
  ]);
  t.is(prepared.filter((sql) => sql === insert).length, 1);
});

test('a failing statement reports to its caller, stays usable, and bad SQL is not kept', async (t) => {
  const { db, call, prepared } = await openDatabase();
  t.teardown(() => db.close());
  const insert = 'insert into t (v) values (?)';
  await call('run', insert, ['a']);
  t.regex((await call('run', insert, ['a'])).error ?? '', /UNIQUE/);
  t.like(await call('run', insert, ['c']), { error: null, changes: 1 });

  const broken = 'select * from missing_table';
  t.regex((await call('all', broken)).error ?? '', /no such table/);
  t.regex((await call('all', broken)).error ?? '', /no such table/);
  t.is(prepared.filter((sql) => sql === broken).length, 2, 'not cached after failing');
});

test('schema statements bypass the cache; the oldest statement is evicted past capacity', async (t) => {
  const { db, call, prepared } = await openDatabase(2);
  t.teardown(() => db.close());
  await call('run', 'create table u (x integer)');
  t.false(prepared.includes('create table u (x integer)'));
  for (const sql of ['select 1', 'select 2', 'select 3', 'select 1']) await call('all', sql);
  t.deepEqual(prepared, ['select 1', 'select 2', 'select 3', 'select 1']);
  t.deepEqual((await call('all', 'select 3 as n')).rows, [{ n: 3 }]);
});

test('concurrent first uses of one statement all succeed', async (t) => {
  const { db, call } = await openDatabase();
  t.teardown(() => db.close());
  const results = await Promise.all(
    ['a', 'b', 'c', 'd'].map((v) => call('run', 'insert into t (v) values (?)', [v])),
  );
  t.true(results.every((result) => result.error === null && result.changes === 1));
  t.deepEqual((await call('all', 'select count(*) as n from t')).rows, [{ n: 4 }]);
});
