import { pino, type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LogFormat } from './serverSettings.js';

export interface LoggerOptions {
  readonly level: string;
  /** `json` (default): one JSON object a line; `pretty`: a readable line a record. */
  readonly format?: LogFormat;
  /** Pretty lines in colour (for a terminal); default false. */
  readonly colorize?: boolean;
  /** A file descriptor or path; default 1 (standard output). */
  readonly destination?: number | string;
  /** How often buffered lines are written at the latest; default a second. */
  readonly flushIntervalMs?: number;
}

/** Keys whose values never reach a log line, wherever a caller puts them. */
const FLUSH_INTERVAL_MS = 1000;

const REDACTED = ['password', 'token', 'apiKey', 'api_key', '*.password', '*.token', '*.apiKey'];

/**
 * The server's logger. JSON lines are buffered (up to 4 KiB, or for at most a second) and
 * written in the background: one write per request would cost a system call each, a third
 * of the server's throughput. Pretty lines (pino-pretty, for a person at a terminal) are
 * written as they come (`minLength` 1: at once unless a write is under way, which keeps
 * `flush` waiting for them). Either way the redaction applies before a line is formatted. Call
 * `logger.flush()` before exiting; a crash can lose the last second of lines.
 *
 * @example const logger = createLogger({ level: 'info', format: 'pretty' })
 */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.format === 'pretty';
  const destination = pino.destination({
    dest: options.destination ?? 1,
    minLength: pretty ? 1 : 4096,
    sync: false,
  });
  const logger = pino(
    {
      level: options.level,
      base: { service: 'plaza' },
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    pretty ? prettyLines(destination, options.colorize ?? false) : destination,
  );
  // A flush waits for the stream's 'drain'; while one waits (the log is read slowly), another
  // would add listeners to it, each, until Node warns on standard error.
  let flushing = false;
  setInterval(() => {
    if (flushing) return;
    flushing = true;
    logger.flush(() => {
      flushing = false;
    });
  }, options.flushIntervalMs ?? FLUSH_INTERVAL_MS).unref();
  return logger;
}

/**
 * The logger for what the operator must see whatever LOG_LEVEL says, such as where the server
 * listens: at info level even when LOG_LEVEL is warn, error or fatal; silent stays silent.
 *
 * @example announcer(logger).info({ url }, 'plaza is listening')
 */
export function announcer(logger: Logger): Logger {
  return logger.level === 'silent' ? logger : logger.child({}, { level: 'info' });
}

/**
 * Writes each JSON line pino makes as one readable line (`[2026-12-07 12:00:00.000 +0000] INFO: request
 * {"req_id":…}`), errors with their stack below it.
 */
function prettyLines(
  destination: ReturnType<typeof pino.destination>,
  colorize: boolean,
): DestinationStream & { flush(callback: (error?: Error) => void): void } {
  const prettify = prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:standard',
    ignore: 'pid,hostname,service',
  });
  return {
    write: (line: string) => destination.write(prettify(line)),
    flush: (callback) => destination.flush(callback),
  };
}
