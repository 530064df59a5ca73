import type { Logger } from '@plaza/core';

export interface LogCall {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string | undefined;
}

/** A Logger that keeps every call, for tests that check what was (or was not) logged. */
export function recordingLogger(): { logger: Logger; calls: LogCall[] } {
  const calls: LogCall[] = [];
  const at =
    (level: LogCall['level']) =>
    (fields: Record<string, unknown>, message?: string): void => {
      calls.push({ level, fields, message });
    };
  return {
    calls,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}
