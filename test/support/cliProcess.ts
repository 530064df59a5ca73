import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(
  new URL('../../../packages/server-koa/dist/cli.js', import.meta.url),
);

export interface CliRun {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the listening URL once the server logs it. */
  readonly listening: Promise<string>;
  readonly exited: Promise<number | null>;
}

/** Runs `plaza-server` in `cwd` with the given environment (on top of PATH only). */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): CliRun {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    // 'close', not 'exit': the process may exit before its output has all been read.
    child.once('close', () => reject(new Error(`exited before listening: ${err}${out}`)));
  });
  listening.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  return { child, stdout: () => out, stderr: () => err, listening, exited };
}
