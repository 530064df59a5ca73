import test from 'ava';
import { ConfigError, DatabaseUnavailable } from '@plaza/core';
import { ListenAddressUnavailable } from './ListenAddressUnavailable.js';
import { explainStartFailure } from './startFailure.js';
import { UsageError } from './UsageError.js';

test('a wrong command line or setting exits 2; a usage error is followed by the usage', (t) => {
  const usage = explainStartFailure(new UsageError('unknown option --nope'));
  t.is(usage.exitCode, 2);
  t.regex(usage.message, /^unknown option --nope\n\nUsage: plaza-server/);
  t.deepEqual(explainStartFailure(new ConfigError('PORT must be a whole number')), {
    message: 'PORT must be a whole number',
    exitCode: 2,
    foreseen: true,
  });
});

test('an unusable database or listen address exits 1 with its own message', (t) => {
  for (const error of [
    new DatabaseUnavailable('cannot connect to the database (DATABASE_URL …): refused'),
    new ListenAddressUnavailable('cannot listen on HOST h, PORT 1: taken'),
  ]) {
    t.deepEqual(explainStartFailure(error), {
      message: error.message,
      exitCode: 1,
      foreseen: true,
    });
  }
});

test('anything else is a bug: one line on stderr, exit 1, the stack left to the log', (t) => {
  t.deepEqual(explainStartFailure(new TypeError('x is undefined\n  more')), {
    message: 'failed to start: x is undefined',
    exitCode: 1,
    foreseen: false,
  });
});
