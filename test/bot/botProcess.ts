import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BOT_CLI = fileURLToPath(new URL('../../../examples/bot/dist/cli.js', import.meta.url));

export interface BotExit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the bot's CLI to its end (at most `timeoutMs`, a ceiling for a saturated machine, where
 * a run takes 20 s and more), with stdout and stderr as pipes and `env` on top of PATH.
 */
export function runBotCli(
  args: readonly string[],
  { env = {}, timeoutMs = 180_000 }: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<BotExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BOT_CLI, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the bot did not finish within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    // 'close', not 'exit': the process may exit before its output has all been read.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Writes an INI file for the bot and returns its path. */
export function botConfigFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'plaza-bot-config-')), 'config.ini');
  writeFileSync(file, text);
  return file;
}

export function numbers(users: number, posts: number, likes: number): string {
  return `[numbers]\nnumber_of_users = ${users}\nmax_posts_per_user = ${posts}\nmax_likes_per_user = ${likes}\n`;
}
