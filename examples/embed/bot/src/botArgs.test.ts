import test from 'ava';
import { BotUsageError } from './BotUsageError.js';
import { DEFAULT_CONCURRENCY, parseBotArgs } from './botArgs.js';

test('defaults: the shipped config, an embedded server, a chosen seed', (t) => {
  const args = parseBotArgs([]);
  t.regex(args.configPath, /examples\/bot\/config\.ini$/);
  t.is(args.serverUrl, undefined);
  t.true(args.seedChosen);
  t.true(Number.isSafeInteger(args.seed) && args.seed >= 0);
  t.is(args.concurrency, DEFAULT_CONCURRENCY);
  t.false(args.json);
});

test('reads every flag', (t) => {
  const args = parseBotArgs([
    '--config',
    'my.ini',
    '--server',
    'http://127.0.0.1:8000',
    '--seed',
    '42',
    '--concurrency',
    '3',
    '--json',
  ]);
  t.is(args.configPath, 'my.ini');
  t.is(args.serverUrl, 'http://127.0.0.1:8000/');
  t.is(args.seed, 42);
  t.false(args.seedChosen);
  t.is(args.concurrency, 3);
  t.true(args.json);
});

test('BOT_CONFIG names the config file when --config does not', (t) => {
  t.is(parseBotArgs([], { BOT_CONFIG: 'from-env.ini' }).configPath, 'from-env.ini');
  t.is(
    parseBotArgs(['--config', 'flag.ini'], { BOT_CONFIG: 'from-env.ini' }).configPath,
    'flag.ini',
  );
  t.regex(parseBotArgs([], { BOT_CONFIG: '  ' }).configPath, /examples\/bot\/config\.ini$/);
});

const refused: readonly [string[], RegExp][] = [
  [['--seed', 'x'], /--seed must be a whole number from 0 to 2147483647; it is "x"/],
  [['--seed', '-1'], /--seed/],
  [['--concurrency', '0'], /--concurrency must be a whole number from 1 to 1000; it is "0"/],
  [['--server', 'ftp://example.com'], /--server must be an http:\/\/ or https:\/\/ URL/],
  [['--server', 'localhost:8000x'], /--server must be an http/],
  [['--nope'], /Unknown option '--nope'/],
  [['extra'], /Unexpected argument 'extra'/],
];

for (const [argv, message] of refused) {
  test(`refuses ${argv.join(' ')}`, (t) => {
    const error = t.throws(() => parseBotArgs(argv), { instanceOf: BotUsageError });
    t.regex(error.message, message);
  });
}
