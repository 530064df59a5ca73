import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { aGate, sharedDatabaseUrl, withDatabase } from '@plaza/core/testing';
import { FAKE_HUNTER_API_KEY, startFakeHunter } from '../fakes/fakeHunter.js';
import { runCli } from '../support/cliProcess.js';
import { strongPassword, uniqueUsername } from '../support/builders.js';
import { eventually } from '../support/eventually.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'plaza-cli-'));

/** Whether Plaza's migrations have run on the database. */
const hasPlazaTables = (databaseUrl: string): Promise<boolean> =>
  withDatabase(databaseUrl, (db) => db.schema.hasTable('users'));

// The default database and the key file beside it are SQLite's: on SQLite in both suites.
test('starts on the SQLite default and keeps a 0600 JWT secret beside it', async (t) => {
  const cwd = tempDir();
  const run = runCli([], { cwd, env: { PORT: '0', LOG_LEVEL: 'info', SCRYPT_LOG_N: '10' } });
  const url = await run.listening;

  const health = await fetch(`${url}/healthz`);
  t.is(health.status, 200);
  t.true(statSync(join(cwd, 'data', 'plaza.sqlite')).isFile());
  const secretFile = statSync(join(cwd, 'data', 'plaza.jwt-secret'));
  t.is(secretFile.mode & 0o777, 0o600);
  t.true(readFileSync(join(cwd, 'data', 'plaza.jwt-secret'), 'utf8').length >= 32);
  t.is(await run.stop('SIGTERM'), 0);
  t.true(run.stdout().includes('HUNTER_API_KEY is not set'));
});

test('SIGTERM finishes the request in flight and shuts down gracefully', async (t) => {
  const cwd = tempDir();
  // The sign-up below waits for Hunter, and this Hunter answers only when the test says: the
  // request is surely in flight when SIGTERM arrives, however slow the machine.
  const hunter = await startFakeHunter();
  t.teardown(() => hunter.close());
  const release = aGate(t);
  const run = runCli([], {
    cwd,
    env: {
      PORT: '0',
      LOG_LEVEL: 'info',
      SCRYPT_LOG_N: '10',
      DATABASE_URL: sharedDatabaseUrl(cwd),
      HUNTER_API_KEY: FAKE_HUNTER_API_KEY,
      HUNTER_API_URL: hunter.url,
      // Ceilings for a loaded machine: the request is held, not slow.
      HUNTER_TIMEOUT_MS: '60000',
      SHUTDOWN_TIMEOUT_MS: '120000',
    },
  });
  t.teardown(() => run.child.kill('SIGKILL'));
  const url = await run.listening;

  const username = uniqueUsername();
  const email = `${username}@example.com`;
  hunter.respondWith(email, { kind: 'held', until: release.opened });
  const inFlight = fetch(`${url}/user/data`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password: strongPassword(), email }),
  });
  await eventually('the sign-up to ask Hunter', () =>
    hunter.requests.some((request) => request.email === email) ? true : undefined,
  );
  const stopped = run.stop('SIGTERM');
  await run.logged(/"msg":"shutting down/);
  release.open();

  const answer = await inFlight;
  t.is(answer.status, 200, 'the request in flight was finished');
  t.is(((await answer.json()) as { code: string }).code, 'OK');
  t.is(await stopped, 0);
  await t.throwsAsync(fetch(`${url}/healthz`), undefined, 'no longer accepting');

  const lines = run
    .stdout()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { msg: string });
  t.true(lines.some((line) => line.msg.startsWith('shutting down')));
  t.true(lines.some((line) => line.msg === 'stopped'));
});

test('a JWT_SECRET shorter than 32 bytes stops the server at start with a clear message', async (t) => {
  const run = runCli([], { cwd: tempDir(), env: { PORT: '0', JWT_SECRET: 'too-short' } });
  t.is(await run.exited, 2);
  t.regex(run.stderr(), /JWT_SECRET must be at least 32 bytes/);
  t.false(run.stderr().includes('too-short'), 'the secret itself is not echoed');
});

test('a bad setting names its key and exits 2', async (t) => {
  const run = runCli([], { cwd: tempDir(), env: { PORT: 'eighty' } });
  t.is(await run.exited, 2);
  t.regex(run.stderr(), /PORT must be a whole number/);
});

test('settings come from --config JSON and .env, the environment winning', async (t) => {
  const cwd = tempDir();
  const databaseUrl = sharedDatabaseUrl(cwd, join('from-config', 'db.sqlite'));
  writeFileSync(
    join(cwd, 'plaza.config.json'),
    JSON.stringify({ DATABASE_URL: databaseUrl, PORT: 1 }),
  );
  writeFileSync(join(cwd, '.env'), 'LOG_LEVEL=info\n');
  const run = runCli(['--config', 'plaza.config.json'], { cwd, env: { PORT: '0' } });
  const url = await run.listening;
  t.is((await fetch(`${url}/healthz`)).status, 200);
  t.is(await run.stop('SIGINT'), 0);
  t.true(await hasPlazaTables(databaseUrl), "the config file's DATABASE_URL was used");
});

test('plaza-server migrate creates the schema and exits', async (t) => {
  const cwd = tempDir();
  const databaseUrl = sharedDatabaseUrl(cwd);
  const run = runCli(['migrate'], { cwd, env: { DATABASE_URL: databaseUrl } });
  t.is(await run.exited, 0);
  t.true(await hasPlazaTables(databaseUrl));
  t.regex(run.stdout(), /database is up to date/);
});
