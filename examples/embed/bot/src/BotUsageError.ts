/** A problem with how the bot was started (flags, config file); the CLI exits with code 2. */
export class BotUsageError extends Error {
  override readonly name = 'BotUsageError';
}
