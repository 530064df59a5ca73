import test from 'ava';
import { parseCliArgs } from './cliArgs.js';
import { UsageError } from './UsageError.js';

test('serve is the default command; migrate and --config are read', (t) => {
  t.deepEqual(parseCliArgs([]), { action: 'serve' });
  t.deepEqual(parseCliArgs(['migrate', '--config', 'plaza.config.json']), {
    action: 'migrate',
    configFile: 'plaza.config.json',
  });
  t.deepEqual(parseCliArgs(['--config=p.json']), { action: 'serve', configFile: 'p.json' });
});

test('--help and --version win over a command', (t) => {
  t.deepEqual(parseCliArgs(['migrate', '-h']), { action: 'help' });
  t.deepEqual(parseCliArgs(['--version']), { action: 'version' });
});

const refused: readonly [string[], RegExp][] = [
  [['--port', '23001'], /^unknown option --port: PORT is a setting.*PORT=23001 plaza-server$/],
  [['--log-level=debug'], /LOG_LEVEL=debug plaza-server$/],
  [['--bogus'], /^unknown option --bogus$/],
  [['-x'], /^unknown option -x$/],
  [['--config'], /^--config needs a file name/],
  [['--config', '--help'], /^--config needs a file name/],
  [['--help=yes'], /^--help takes no value$/],
  [['start'], /^unknown command start$/],
  [['serve', 'now'], /^unexpected argument now$/],
];

for (const [argv, message] of refused) {
  test(`refuses ${argv.join(' ')}`, (t) => {
    const error = t.throws(() => parseCliArgs(argv), { instanceOf: UsageError });
    t.regex(error.message, message);
  });
}
