import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import sqlite3 from 'sqlite3';
import { parseDatabaseUrl } from '../../config.js';
import { freePort } from '@plaza/testkit';
import { DatabaseUnavailable, reasonOf, withoutPassword } from './DatabaseUnavailable.js';
import { startDatabase } from './startDatabase.js';

const start = (url: string) => startDatabase(url, parseDatabaseUrl(url), { busyTimeoutMs: 100 });

test('an unreachable PostgreSQL is a DatabaseUnavailable naming the URL without its password', async (t) => {
  const port = await freePort();
  const error = await t.throwsAsync(start(`postgres://plaza:pa55word@127.0.0.1:${port}/db`), {
    instanceOf: DatabaseUnavailable,
  });
  t.is(
    error.message,
    `cannot connect to the database (DATABASE_URL postgres://plaza:***@127.0.0.1:${port}/db): connect ECONNREFUSED 127.0.0.1:${port}`,
  );
});

test('a SQLite file whose folder cannot be made is a DatabaseUnavailable', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'plaza-db-'));
  writeFileSync(join(folder, 'a-file'), '');
  const url = `sqlite:${join(folder, 'a-file', 'plaza.sqlite')}`;
  const error = await t.throwsAsync(start(url), { instanceOf: DatabaseUnavailable });
  t.regex(error.message, /^cannot open the database \(DATABASE_URL sqlite:.*\): EEXIST.*a-file/);
});

test('a file that is not a SQLite database is a DatabaseUnavailable', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'plaza-db-')), 'plaza.sqlite');
  writeFileSync(file, 'not a database, not at all, whatever the extension says');
  const error = await t.throwsAsync(start(`sqlite:${file}`), { instanceOf: DatabaseUnavailable });
  t.regex(error.message, /^cannot open the database \(DATABASE_URL sqlite:.*\): SQLITE_NOTADB/);
});

test('withoutPassword hides PostgreSQL passwords in the URL and its query', (t) => {
  t.is(withoutPassword('postgres://u:p@h:5432/db?schema=s'), 'postgres://u:***@h:5432/db?schema=s');
  t.is(withoutPassword('postgresql://u@h/db?password=p'), 'postgresql://u@h/db?password=***');
  t.is(withoutPassword('postgres://h/db'), 'postgres://h/db');
  t.is(withoutPassword('sqlite:./data/plaza.sqlite'), 'sqlite:./data/plaza.sqlite');
});

test('reasonOf takes the first line, and every address tried when the message is empty', (t) => {
  t.is(reasonOf(new Error('first\nsecond')), 'first');
  t.is(
    reasonOf(new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('b')], '')),
    'connect ECONNREFUSED ::1:5432; b',
  );
  t.is(reasonOf('text'), 'text');
});

test('a SQLite file another process holds locked past the busy timeout is opened once it lets go', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'plaza-db-')), 'plaza.sqlite');
  // As another instance migrating a new file does: a write transaction in rollback mode keeps
  // everyone else from even reading it.
  const holder = new sqlite3.Database(file);
  const run = (sql: string) =>
    new Promise<void>((resolve, reject) =>
      holder.exec(sql, (error) => (error ? reject(error) : resolve())),
    );
  await run('begin exclusive; create table holder (id integer);');
  const released = new Promise<void>((resolve) => setTimeout(resolve, 1_000)).then(async () => {
    await run('commit;');
  });
  t.teardown(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  const started = await start(`sqlite:${file}`);
  await released;
  t.teardown(() => started.db.destroy());
  t.true(started.applied.length > 0);
});
