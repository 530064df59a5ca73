#!/usr/bin/env node
import { isPlazaApiError, isPlazaNetworkError } from '@plaza/client-sdk';
import { parseBotArgs, USAGE } from './botArgs.js';
import { loadBotConfig } from './botConfig.js';
import { BotUsageError } from './BotUsageError.js';
import type { EmbeddedServer } from './embeddedServer.js';
import { reportAsText } from './printReport.js';
import { progressOn } from './progress.js';
import { runBot } from './runBot.js';

const EXIT_RULE_BROKEN = 1;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

async function main(argv: readonly string[]): Promise<number> {
  const args = parseBotArgs(argv, process.env);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = await loadBotConfig(args.configPath);
  let embedded: EmbeddedServer | undefined;
  const stopOnSignal = (): void => {
    void (embedded?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    let serverUrl = args.serverUrl;
    if (serverUrl === undefined) {
      // Loaded only when needed: the server, its database driver and all.
      const { startEmbeddedServer } = await import('./embeddedServer.js');
      embedded = await startEmbeddedServer();
      serverUrl = embedded.url;
    }
    process.stderr.write(
      `Plaza bot: ${config.numberOfUsers} users, up to ${config.maxPostsPerUser} posts and ` +
        `${config.maxLikesPerUser} likes each, seed ${args.seed}, ${args.concurrency} at once, ` +
        `against ${serverUrl}\n`,
    );
    const report = await runBot({
      serverUrl,
      serverDescription:
        embedded === undefined ? serverUrl : `${serverUrl} (${embedded.description})`,
      config,
      seed: args.seed,
      concurrency: args.concurrency,
      progress: progressOn(process.stderr),
    });
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : reportAsText(report));
    return report.ok ? 0 : EXIT_RULE_BROKEN;
  } finally {
    await embedded?.close();
  }
}

function explain(error: unknown): { message: string; exitCode: number } {
  if (error instanceof BotUsageError)
    return { message: `${error.message}\n\n${USAGE}`, exitCode: EXIT_USAGE };
  if (isPlazaNetworkError(error)) {
    return { message: `The server did not answer: ${error.message}`, exitCode: EXIT_FAILED };
  }
  if (isPlazaApiError(error)) {
    const field = error.field === undefined ? '' : ` (${error.field})`;
    return {
      message: `The server refused a request: ${error.code} ${error.message}${field}, HTTP ${error.status}`,
      exitCode: EXIT_FAILED,
    };
  }
  return {
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    exitCode: EXIT_FAILED,
  };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { message, exitCode } = explain(error);
    process.stderr.write(`plaza-bot: ${message}\n`);
    process.exitCode = exitCode;
  },
);
