import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import test from 'ava';
import { pino } from 'pino';
import { announcer, createLogger, type LoggerOptions } from './logger.js';

function loggerAt(level: string): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

for (const level of ['fatal', 'error', 'warn', 'info']) {
  test(`the announcer writes at info level when LOG_LEVEL is ${level}`, (t) => {
    const { logger, lines } = loggerAt(level);
    logger.info({}, 'hidden unless info');
    announcer(logger).info({ url: 'http://127.0.0.1:1' }, 'plaza is listening');
    t.is(lines.length, level === 'info' ? 2 : 1);
    t.like(JSON.parse(lines.at(-1)!), { level: 30, msg: 'plaza is listening' });
  });
}

test('the announcer says nothing when LOG_LEVEL is silent', (t) => {
  const { logger, lines } = loggerAt('silent');
  announcer(logger).info({}, 'plaza is listening');
  t.deepEqual(lines, []);
});

// Found from outside: with standard output read slowly, each periodic flush left a 'drain'
// and an 'error' listener on the stream, and Node printed a MaxListenersExceededWarning, not
// a JSON line, to standard error.
test('a log read slowly: the periodic flushes pile nothing up, and standard error stays empty', async (t) => {
  const loggerModule = new URL('./logger.js', import.meta.url).href;
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { createLogger } = await import(${JSON.stringify(loggerModule)});
       const logger = createLogger({ level: 'info', flushIntervalMs: 5 });
       for (let i = 0; i < 2000; i += 1) logger.info({ i, padding: 'x'.repeat(200) }, 'line');
       setTimeout(() => logger.flush(), 500);`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Not read for 400 ms: the pipe fills, a write waits, and about 80 flushes come meanwhile.
  child.stdout.pause();
  await new Promise((resolve) => setTimeout(resolve, 400));
  let lines = 0;
  child.stdout.on('data', (chunk: Buffer) => (lines += chunk.toString().split('\n').length - 1));
  child.stdout.resume();
  const [code] = (await once(child, 'exit')) as [number | null];
  t.is(code, 0);
  t.is(lines, 2000);
  t.is(stderr, '');
});

/** Writes `write(logger)`'s lines through `createLogger` into a file, and returns them. */
async function linesOf(
  options: Omit<LoggerOptions, 'destination'>,
  write: (logger: pino.Logger) => void,
): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'plaza-log-')), 'log');
  const logger = createLogger({ ...options, destination: file });
  write(logger);
  await new Promise<void>((resolve, reject) =>
    logger.flush((error) => (error ? reject(error) : resolve())),
  );
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

const requestLine = (logger: pino.Logger): void =>
  logger.info(
    { req_id: 'r-1', method: 'POST', path: '/user/login', status: 401, ms: 3.2 },
    'request',
  );

test('pretty lines are for a person: level and message in words, the request fields kept', async (t) => {
  const [line] = await linesOf({ level: 'info', format: 'pretty' }, requestLine);
  t.throws(() => JSON.parse(line!) as unknown, { instanceOf: SyntaxError });
  t.regex(line!, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] INFO: request \{/);
  for (const field of [
    '"req_id":"r-1"',
    '"method":"POST"',
    '"path":"/user/login"',
    '"status":401',
  ]) {
    t.true(line!.includes(field), field);
  }
});

test('JSON stays the default format', async (t) => {
  const [line] = await linesOf({ level: 'info' }, requestLine);
  t.like(JSON.parse(line!), { level: 30, msg: 'request', req_id: 'r-1', status: 401 });
});

for (const format of ['json', 'pretty'] as const) {
  test(`${format} lines never show a password, token or API key`, async (t) => {
    const lines = await linesOf({ level: 'info', format }, (logger) =>
      logger.info(
        {
          password: 'hunter2-password',
          token: 'eyJ-secret-token',
          body: { password: 'nested-password', apiKey: 'sk_nested_key' },
          apiKey: 'sk_top_key',
        },
        'careless caller',
      ),
    );
    const text = lines.join('\n');
    t.true(text.includes('[redacted]'));
    for (const secret of ['hunter2', 'eyJ-secret', 'nested-password', 'sk_nested', 'sk_top']) {
      t.false(text.includes(secret), secret);
    }
  });
}
