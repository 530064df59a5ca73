#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { createPlaza } from '@plaza/core';
import { parseCliArgs } from './cliArgs.js';
import { helpText } from './helpText.js';
import { announcer, createLogger } from './logger.js';
import { serve } from './serve.js';
import { loadSettings, type Settings } from './settings.js';
import { explainStartFailure } from './startFailure.js';

async function main(argv: readonly string[]): Promise<number> {
  const request = parseCliArgs(argv);
  if (request.action === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (request.action === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const settings = loadSettings({
    env: process.env,
    dotenvFile: '.env',
    onWarning: (message) => console.error(`plaza-server: ${message}`),
    ...(request.configFile === undefined ? {} : { configFile: request.configFile }),
  });
  // Unset LOG_FORMAT: readable lines for a person at a terminal, JSON lines for anything else.
  const terminal = process.stdout.isTTY;
  const logger = createLogger({
    level: settings.logLevel,
    format: settings.logFormat ?? (terminal ? 'pretty' : 'json'),
    // hasColors() follows NO_COLOR, FORCE_COLOR and TERM.
    colorize: terminal && process.stdout.hasColors(),
  });
  try {
    return request.action === 'migrate'
      ? await migrate(settings, logger)
      : await serveUntilStopped(settings, logger);
  } catch (error) {
    if (!explainStartFailure(error).foreseen) {
      logger.error({ err: error }, 'failed to start');
      logger.flush();
    }
    throw error;
  }
}

async function migrate(settings: Settings, logger: Logger): Promise<number> {
  // Only the schema: no job worker, so this can run beside live instances during an upgrade.
  const plaza = await createPlaza({
    ...settings.plaza,
    enrichment: { ...settings.plaza.enrichment, worker: false },
    logger,
  });
  await plaza.close();
  announcer(logger).info({}, 'database is up to date');
  logger.flush();
  return 0;
}

async function serveUntilStopped(settings: Settings, logger: Logger): Promise<number> {
  // Listened for before anything starts: a supervisor may signal as soon as it reads the
  // listening line, or while the server is still starting.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  const running = await serve({ settings, logger });
  announcer(logger).info(
    { url: running.url, email_verifier: running.plaza.emailVerifier.name },
    'plaza is listening',
  );
  logger.flush();

  const signal = await stopSignal;
  logger.info({ signal }, 'shutting down: finishing requests in flight');
  try {
    await running.close();
  } catch (error) {
    logger.error({ err: error }, 'error while shutting down');
  }
  logger.info({}, 'stopped');
  logger.flush();
  return 0;
}

/** The version of @plaza/server-koa, from its package.json beside `dist`. */
function packageVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const failure = explainStartFailure(error);
    console.error(`plaza-server: ${failure.message}`);
    process.exitCode = failure.exitCode;
  },
);
