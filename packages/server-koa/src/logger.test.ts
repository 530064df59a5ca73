import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import test from 'ava';
import { pino } from 'pino';
import { announcer } from './logger.js';

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
