import { readFile } from 'node:fs/promises';
import { parse } from 'ini';
import { BotUsageError } from './BotUsageError.js';

/** How much the bot does: the `[numbers]` section of its INI file. */
export interface BotConfig {
  readonly numberOfUsers: number;
  readonly maxPostsPerUser: number;
  readonly maxLikesPerUser: number;
}

const KEYS = {
  number_of_users: 'numberOfUsers',
  max_posts_per_user: 'maxPostsPerUser',
  max_likes_per_user: 'maxLikesPerUser',
} as const satisfies Record<string, keyof BotConfig>;

/**
 * Reads and checks the bot's INI file.
 *
 * @example await loadBotConfig('examples/bot/config.ini') // { numberOfUsers: 10, … }
 */
export async function loadBotConfig(path: string): Promise<BotConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new BotUsageError(`Cannot read the bot config ${path}: ${reason}.`);
  }
  return parseBotConfig(text, path);
}

/** @example parseBotConfig('[numbers]\nnumber_of_users=3\n…', 'config.ini') */
export function parseBotConfig(text: string, path: string): BotConfig {
  const numbers: unknown = parse(text)['numbers'];
  if (typeof numbers !== 'object' || numbers === null) {
    throw new BotUsageError(`${path} has no [numbers] section.`);
  }
  const section = numbers as Record<string, unknown>;
  const config: Partial<Record<keyof BotConfig, number>> = {};
  for (const [key, name] of Object.entries(KEYS)) {
    config[name] = wholeNumber(path, key, section[key]);
  }
  return config as BotConfig;
}

function wholeNumber(path: string, key: string, value: unknown): number {
  if (value === undefined) {
    throw new BotUsageError(
      `${path}: [numbers] ${key} is missing; it must be a whole number >= 0.`,
    );
  }
  const text = typeof value === 'string' ? value.trim() : '';
  const number = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number)) {
    throw new BotUsageError(
      `${path}: [numbers] ${key} must be a whole number >= 0; it is ${JSON.stringify(value)}.`,
    );
  }
  return number;
}
