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
