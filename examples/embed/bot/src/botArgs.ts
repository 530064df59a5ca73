import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BotUsageError } from './BotUsageError.js';

export interface BotArgs {
  readonly configPath: string;
  /** The server to drive; undefined starts one in this process. */
  readonly serverUrl: string | undefined;
  readonly seed: number;
  /** Whether the seed was chosen by the bot (the report says which to pass to repeat the run). */
  readonly seedChosen: boolean;
  readonly concurrency: number;
  readonly json: boolean;
  readonly help: boolean;
}

export const DEFAULT_CONFIG_PATH = new URL('../config.ini', import.meta.url).pathname;
export const DEFAULT_CONCURRENCY = 8;

export const USAGE = `Usage: npm run bot -- [--config FILE] [--server URL] [--seed N] [--concurrency N] [--json]

  --config FILE     INI file with [numbers] number_of_users, max_posts_per_user,
                    max_likes_per_user (default: the BOT_CONFIG environment variable,
                    else examples/bot/config.ini)
  --server URL      a running Plaza server; without it the bot starts one in-process
                    (temporary SQLite database, offline providers)
  --seed N          repeat a run: the same seed gives the same posts and likes
  --concurrency N   requests in flight at once (default ${DEFAULT_CONCURRENCY})
  --json            print the report as JSON on stdout`;

const MAX_SEED = 2 ** 31 - 1;

/**
 * Reads the bot's command line, and BOT_CONFIG from `env` (the original bot's way to name
 * its config file) when there is no `--config`.
 *
 * @example parseBotArgs(['--seed', '7', '--json'], process.env).seed // 7
 */
export function parseBotArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): BotArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        server: { type: 'string' },
        seed: { type: 'string' },
        concurrency: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BotUsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    configPath: values.config ?? (env['BOT_CONFIG']?.trim() || DEFAULT_CONFIG_PATH),
    serverUrl: values.server === undefined ? undefined : serverUrl(values.server),
    seed:
      values.seed === undefined
        ? randomInt(MAX_SEED)
        : wholeNumber('seed', values.seed, 0, MAX_SEED),
    seedChosen: values.seed === undefined,
    concurrency:
      values.concurrency === undefined
        ? DEFAULT_CONCURRENCY
        : wholeNumber('concurrency', values.concurrency, 1, 1000),
    json: values.json,
    help: values.help,
  };
}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const number = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new BotUsageError(
      `--${flag} must be a whole number from ${min} to ${max}; it is "${value}".`,
    );
  }
  return number;
}

function serverUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BotUsageError(`--server must be an http:// or https:// URL; it is "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BotUsageError(`--server must be an http:// or https:// URL; it is "${value}".`);
  }
  return url.href;
}
