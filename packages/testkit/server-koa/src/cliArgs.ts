import { parseArgs } from 'node:util';
import { SERVER_SETTINGS } from './serverSettings.js';
import { UsageError } from './UsageError.js';

export type CliRequest =
  | { readonly action: 'help' }
  | { readonly action: 'version' }
  | { readonly action: 'serve' | 'migrate'; readonly configFile?: string };

const OPTIONS = {
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const COMMANDS = ['serve', 'migrate'] as const;

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

/**
 * Reads `plaza-server`'s command line; anything it does not know is a UsageError.
 *
 * @example parseCliArgs(['migrate', '--config', 'plaza.config.json'])
 */
export function parseCliArgs(argv: readonly string[]): CliRequest {
  // Not strict: Node's own errors for unknown options are TypeErrors with a long message.
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  tokens.forEach((token, index) => {
    checkOption(token, tokens[index + 1]);
  });
  if (values.help === true) return { action: 'help' };
  if (values.version === true) return { action: 'version' };
  const [command = 'serve', ...extra] = positionals;
  if (!isCommand(command)) throw new UsageError(`unknown command ${command}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra.join(' ')}`);
  const configFile = values.config;
  return typeof configFile === 'string' ? { action: command, configFile } : { action: command };
}

const isCommand = (value: string): value is (typeof COMMANDS)[number] =>
  (COMMANDS as readonly string[]).includes(value);

function checkOption(token: Token, next: Token | undefined): void {
  if (token.kind !== 'option') return;
  if (!Object.hasOwn(OPTIONS, token.name)) throw unknownOption(token, next);
  const { type } = OPTIONS[token.name as keyof typeof OPTIONS];
  if (type === 'string' && (token.value === undefined || token.value.startsWith('-'))) {
    throw new UsageError(
      `${token.rawName} needs a file name, as in ${token.rawName} plaza.config.json`,
    );
  }
  if (type === 'boolean' && token.value !== undefined) {
    throw new UsageError(`${token.rawName} takes no value`);
  }
}

/** `--port 8080` is a common guess: point at the setting it was meant to be. */
function unknownOption(
  token: Extract<Token, { kind: 'option' }>,
  next: Token | undefined,
): UsageError {
  const key = token.name.toUpperCase().replaceAll('-', '_');
  if (!SERVER_SETTINGS.some((setting) => setting.key === key)) {
    return new UsageError(`unknown option ${token.rawName}`);
  }
  const value = token.value ?? (next?.kind === 'positional' ? next.value : 'VALUE');
  return new UsageError(
    `unknown option ${token.rawName}: ${key} is a setting, given in the environment, .env or --config, as in ${key}=${value} plaza-server`,
  );
}
