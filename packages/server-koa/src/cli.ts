#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, createPlaza } from '@plaza/core';
import { createLogger } from './logger.js';
import { serve } from './serve.js';
import { loadSettings } from './settings.js';

const USAGE = `Usage: plaza-server [serve|migrate] [--config plaza.config.json]

  serve     run the HTTP server (the default)
  migrate   bring the database schema up to date and exit

Settings come from the environment, a .env file in the working folder, and --config
(environment first). See the README for the keys.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const command = positionals[0] ?? 'serve';
  if (!['serve', 'migrate'].includes(command) || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }

  const settings = loadSettings({
    env: process.env,
    dotenvFile: '.env',
    ...(values.config === undefined ? {} : { configFile: values.config }),
  });
  const logger = createLogger({ level: settings.logLevel });

  if (command === 'migrate') {
    // Only the schema: no job worker, so this can run beside live instances during an upgrade.
    const plaza = await createPlaza({
      ...settings.plaza,
      enrichment: { ...settings.plaza.enrichment, worker: false },
      logger,
    });
    await plaza.close();
    logger.info({}, 'database is up to date');
    logger.flush();
    return 0;
  }

  const running = await serve({ settings, logger });
  logger.info(
    { url: running.url, email_verifier: running.plaza.emailVerifier.name },
    'plaza is listening',
  );
  logger.flush();

  await new Promise<void>((resolve) => {
    const shutDown = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'shutting down: finishing requests in flight');
      process.off('SIGTERM', shutDown);
      process.off('SIGINT', shutDown);
      running.close().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        resolve();
      });
    };
    process.on('SIGTERM', shutDown);
    process.on('SIGINT', shutDown);
  });
  logger.info({}, 'stopped');
  logger.flush();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`plaza-server: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      console.error(`plaza-server: cannot listen: ${(error as Error).message}`);
      process.exitCode = 1;
      return;
    }
    console.error('plaza-server: failed to start:', error);
    process.exitCode = 1;
  },
);
