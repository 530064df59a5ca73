import { ConfigError, DatabaseUnavailable } from '@plaza/core';
import { USAGE } from './helpText.js';
import { ListenAddressUnavailable } from './ListenAddressUnavailable.js';
import { UsageError } from './UsageError.js';

export interface StartFailure {
  /** What to print after `plaza-server: `: one line, or one line and the usage. */
  readonly message: string;
  readonly exitCode: number;
  /** False for what only a bug explains: its stack belongs in the log. */
  readonly foreseen: boolean;
}

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/**
 * What `plaza-server` says when it cannot start: the command line or a setting is wrong
 * (exit 2), or the database or the listen address cannot be used (exit 1).
 *
 * @example explainStartFailure(new ConfigError('PORT must be …')).exitCode // 2
 */
export function explainStartFailure(error: unknown): StartFailure {
  if (error instanceof UsageError) {
    return { message: `${error.message}\n\n${USAGE}`, exitCode: EXIT_USAGE, foreseen: true };
  }
  if (error instanceof ConfigError) {
    return { message: error.message, exitCode: EXIT_USAGE, foreseen: true };
  }
  if (error instanceof DatabaseUnavailable || error instanceof ListenAddressUnavailable) {
    return { message: error.message, exitCode: EXIT_FAILED, foreseen: true };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    message: `failed to start: ${message.split('\n', 1)[0] ?? ''}`,
    exitCode: EXIT_FAILED,
    foreseen: false,
  };
}
