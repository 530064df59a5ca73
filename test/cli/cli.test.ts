import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { describeSetting } from '@plaza/core/host';
import { aGate, freePort, sharedDatabaseUrl, withDatabase } from '@plaza/testkit';
import { SERVER_SETTINGS } from '@plaza/server-koa';
import { FAKE_HUNTER_API_KEY, startFakeHunter } from '../fakes/fakeHunter.js';
import { CHILD_START_MS, CLI_PATH, runCli, type CliRun } from '../support/cliProcess.js';
import { strongPassword, uniqueUsername } from '../support/builders.js';
import { eventually } from '../support/eventually.js';
import { sendBytes } from '../support/rawSocket.js';

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

test('the server it starts answers requests Node refuses in the error format, with a logged id', async (t) => {
  const run = runCli([], {
    cwd: tempDir(),
    env: { PORT: '0', LOG_LEVEL: 'info' },
  });
  const url = await run.listening;
  const refused = [
    await sendBytes(url, 'hello\r\n\r\n'),
    await sendBytes(url, 'GET /healthz HTTP/1.1\r\n\r\n'),
  ];
  run.child.kill('SIGTERM');
  t.is(await run.exited, 0);
  for (const answer of refused) {
    t.is(answer.status, 400);
    t.like(JSON.parse(answer.body), { code: 'USR_02' });
    const requestId = answer.headers['x-request-id'] ?? '';
    t.regex(requestId, /^[0-9a-f-]{36}$/);
    t.true(run.stdout().includes(`"req_id":"${requestId}"`), 'logged under its id');
  }
});

/** A Node stack frame, as printed with an error object. */
const STACK_FRAME = /^\s+at /m;

test('an unknown option prints the usage on stderr and exits 2, without a stack trace', async (t) => {
  const run = runCli(['--port', '23001'], { cwd: tempDir(), env: {} });
  t.is(await run.exited, 2);
  t.regex(run.stderr(), /^plaza-server: unknown option --port\b/);
  t.regex(run.stderr(), /PORT=23001/, 'says how to set the port instead');
  t.regex(run.stderr(), /Usage: plaza-server/);
  t.notRegex(run.stderr(), STACK_FRAME);
  t.is(run.stdout(), '');
});

test('--version prints the version of @plaza/server-koa and exits 0', async (t) => {
  const packageFile = new URL('../package.json', `file://${CLI_PATH}`);
  const { version } = JSON.parse(readFileSync(packageFile, 'utf8')) as { version: string };
  const run = runCli(['--version'], { cwd: tempDir(), env: {} });
  t.is(await run.exited, 0);
  t.is(run.stdout(), `${version}\n`);
  t.is(run.stderr(), '');
});

test('--help lists every setting with its default and meaning, and exits 0', async (t) => {
  const run = runCli(['--help'], { cwd: tempDir(), env: {} });
  t.is(await run.exited, 0);
  const help = run.stdout();
  t.regex(help, /Usage: plaza-server/);
  t.true(SERVER_SETTINGS.length > 40);
  for (const setting of SERVER_SETTINGS.map(describeSetting)) {
    const entry = new RegExp(`\\n  ${setting.key}  default: (.*)\\n      (.*)`).exec(help);
    t.is(entry?.[1], setting.default, `${setting.key}'s default`);
    t.is(entry?.[2], setting.meaning, `${setting.key}'s meaning`);
  }
});

/** What a start failure prints: one line on stderr, no stack anywhere. */
function assertOneLine(t: ExecutionContext, run: CliRun, line: RegExp): void {
  t.regex(run.stderr(), line);
  t.is(run.stderr().split('\n').length, 2, `one line: ${run.stderr()}`);
  t.notRegex(run.stderr() + run.stdout(), STACK_FRAME);
}

for (const args of [[], ['migrate']]) {
  test(`${['plaza-server', ...args].join(' ')}: an unreachable PostgreSQL is one line naming DATABASE_URL, without the password`, async (t) => {
    const port = await freePort(); // nothing listens there
    const run = runCli(args, {
      cwd: tempDir(),
      env: { PORT: '0', DATABASE_URL: `postgres://plaza:hunter2-secret@127.0.0.1:${port}/db` },
    });
    t.is(await run.exited, 1);
    assertOneLine(
      t,
      run,
      new RegExp(
        `^plaza-server: cannot connect to the database \\(DATABASE_URL postgres://plaza:\\*\\*\\*@127\\.0\\.0\\.1:${port}/db\\): connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\n$`,
      ),
    );
    t.false((run.stderr() + run.stdout()).includes('hunter2-secret'));
  });
}

test('a HOST that does not resolve is one line naming HOST, exit 1', async (t) => {
  const cwd = tempDir();
  const run = runCli([], {
    cwd,
    env: { PORT: '0', HOST: 'no-such-host.invalid', DATABASE_URL: sharedDatabaseUrl(cwd) },
  });
  t.is(await run.exited, 1);
  assertOneLine(
    t,
    run,
    /^plaza-server: cannot listen on HOST no-such-host\.invalid, PORT 0: .+\n$/,
  );
});

test('a SQLite file whose folder cannot be made is one line naming DATABASE_URL, exit 1', async (t) => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'a-file'), '');
  const databaseUrl = `sqlite:${join(cwd, 'a-file', 'plaza.sqlite')}`;
  const run = runCli([], { cwd, env: { PORT: '0', DATABASE_URL: databaseUrl } });
  t.is(await run.exited, 1);
  assertOneLine(
    t,
    run,
    /^plaza-server: cannot open the database \(DATABASE_URL sqlite:.+\): .*a-file.*\n$/,
  );
});

test('a misspelled key in .env is a warning naming the nearest setting; the server still starts', async (t) => {
  const cwd = tempDir();
  writeFileSync(join(cwd, '.env'), 'PROT=1\nNODE_ENV=production\n');
  const run = runCli([], { cwd, env: { PORT: '0', DATABASE_URL: sharedDatabaseUrl(cwd) } });
  const url = await run.listening;
  t.is((await fetch(`${url}/healthz`)).status, 200);
  run.child.kill('SIGTERM');
  t.is(await run.exited, 0);
  t.is(run.stderr(), 'plaza-server: PROT in .env is not a Plaza setting; did you mean PORT?\n');
});

test('a key in the --config file that is not a setting stops the start, naming the nearest one', async (t) => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'plaza.config.json'), JSON.stringify({ port: 1 }));
  const run = runCli(['--config', 'plaza.config.json'], { cwd, env: { PORT: '0' } });
  t.is(await run.exited, 2);
  t.is(
    run.stderr(),
    'plaza-server: port in plaza.config.json is not a Plaza setting; did you mean PORT?\n',
  );
});

test('a SIGTERM sent the moment the listening line appears is a graceful stop, every time', async (t) => {
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const cwd = tempDir();
    const run = runCli([], {
      cwd,
      env: { PORT: '0', LOG_LEVEL: 'error', DATABASE_URL: sharedDatabaseUrl(cwd) },
    });
    await run.listening;
    run.child.kill('SIGTERM');
    t.is(await run.exited, 0, `attempt ${attempt}: exit 0, not killed by the signal`);
  }
});

test('the listening line is printed at LOG_LEVEL=error too', async (t) => {
  const cwd = tempDir();
  const run = runCli([], {
    cwd,
    env: { PORT: '0', LOG_LEVEL: 'error', DATABASE_URL: sharedDatabaseUrl(cwd) },
  });
  const url = await run.listening;
  run.child.kill('SIGTERM');
  t.is(await run.exited, 0);
  const lines = run.stdout().trim().split('\n');
  t.is(lines.length, 1, 'nothing else below error');
  t.like(JSON.parse(lines[0]!), { msg: 'plaza is listening', url });
});

test("CLEARBIT_API_SECRET, the original's name for the Clearbit key, turns enrichment on", async (t) => {
  const cwd = tempDir();
  const run = runCli([], {
    cwd,
    env: {
      PORT: '0',
      DATABASE_URL: sharedDatabaseUrl(cwd),
      CLEARBIT_API_SECRET: 'sk_from_the_original',
      CLEARBIT_API_URL: 'http://127.0.0.1:9',
    },
  });
  await run.listening;
  run.child.kill('SIGTERM');
  t.is(await run.exited, 0);
  t.regex(run.stdout(), /"msg":"profiles are enriched by clearbit"/);
  t.false((run.stdout() + run.stderr()).includes('sk_from_the_original'));
});

test('CLEARBIT_API_KEY and CLEARBIT_API_SECRET that differ exit 2 naming both, not their values', async (t) => {
  const run = runCli([], {
    cwd: tempDir(),
    env: { PORT: '0', CLEARBIT_API_KEY: 'sk_first_value', CLEARBIT_API_SECRET: 'sk_second_value' },
  });
  t.is(await run.exited, 2);
  t.regex(run.stderr(), /^plaza-server: .*CLEARBIT_API_KEY.*CLEARBIT_API_SECRET.*\n$/);
  t.false((run.stdout() + run.stderr()).includes('_value'));
});

/** A line of the log that is a JSON object. */
const isJsonLine = (line: string): boolean => {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

test('LOG_FORMAT=pretty: readable lines, not JSON, and the request line keeps its fields', async (t) => {
  const cwd = tempDir();
  const run = runCli([], {
    cwd,
    env: {
      PORT: '0',
      LOG_FORMAT: 'pretty',
      DATABASE_URL: sharedDatabaseUrl(cwd),
      JWT_SECRET: 'a-pretty-logged-jwt-secret-of-32-bytes-or-more',
      CLEARBIT_API_KEY: 'sk_pretty_clearbit_secret',
      CLEARBIT_API_URL: 'http://127.0.0.1:9',
    },
  });
  const url = await run.listening;
  const health = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'pretty-check-1' } });
  t.is(health.status, 200);
  await run.logged(/pretty-check-1/);
  t.is(await run.stop('SIGTERM'), 0);

  const lines = run.stdout().trim().split('\n');
  t.true(lines.length >= 3, run.stdout());
  t.false(lines.some(isJsonLine), 'no JSON line');
  const request = lines.find((line) => line.includes('"req_id":"pretty-check-1"')) ?? '';
  t.regex(request, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] INFO: request \{/);
  t.regex(request, /"method":"GET","path":"\/healthz","status":200,"ms":[\d.]+/);
  t.true(lines.some((line) => /INFO: plaza is listening \{"url":"http/.test(line)));
  const output = run.stdout() + run.stderr();
  t.false(output.includes('sk_pretty_clearbit_secret'));
  t.false(output.includes('a-pretty-logged-jwt-secret'));
});

const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
/** util-linux `script` runs a command on a pseudo-terminal; skipped where it is missing. */
const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs plaza-server with stdout on a pseudo-terminal until it listens; its output lines. */
async function logOnTerminal(env: Record<string, string>): Promise<string[]> {
  const cwd = tempDir();
  const child = spawn('script', ['-qec', `"${process.execPath}" "${CLI_PATH}"`, '/dev/null'], {
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: '0',
      DATABASE_URL: sharedDatabaseUrl(cwd),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const closed = once(child, 'close');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no listening line in ${out}`)),
      CHILD_START_MS,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('plaza is listening')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('close', () => reject(new Error(`exited before listening: ${out}`)));
  });
  child.kill('SIGTERM');
  await closed;
  return out
    .replace(ANSI_COLOUR, '')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
}

(hasScript ? test : test.skip)(
  'on a terminal the log is pretty by default; LOG_FORMAT=json keeps JSON',
  async (t) => {
    const pretty = await logOnTerminal({});
    t.true(
      pretty.some((line) => /INFO: plaza is listening \{"url":"http/.test(line)),
      pretty.join('\n'),
    );
    t.false(pretty.some(isJsonLine));

    const json = await logOnTerminal({ LOG_FORMAT: 'json' });
    const listening = json.find((line) => line.includes('plaza is listening')) ?? '';
    t.like(JSON.parse(listening), { msg: 'plaza is listening' });
  },
);

test('a bad LOG_FORMAT names the key and exits 2', async (t) => {
  const run = runCli([], { cwd: tempDir(), env: { PORT: '0', LOG_FORMAT: 'colour' } });
  t.is(await run.exited, 2);
  t.is(run.stderr(), 'plaza-server: LOG_FORMAT must be one of json, pretty; it is "colour".\n');
});
