import { spawn } from 'node:child_process';
import type { ExecutionContext } from 'ava';

export interface ScriptRun {
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process ends first. */
  printed(pattern: RegExp): Promise<RegExpExecArray>;
  stop(): void;
}

/** Runs a Node script with only PATH and `env` in its environment; killed at teardown. */
export function runNodeScript(
  t: ExecutionContext,
  file: string,
  options: { readonly cwd: string; readonly env: Record<string, string> },
): ScriptRun {
  const child = spawn(process.execPath, [file], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  t.teardown(() => child.kill('SIGKILL'));
  // 'close', not 'exit': the process may exit before its output has all been read.
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return {
    exited,
    printed: (pattern) =>
      new Promise((resolve, reject) => {
        const look = (): void => {
          const match = pattern.exec(stdout);
          if (match === null) return;
          child.stdout.off('data', look);
          resolve(match);
        };
        child.stdout.on('data', look);
        look();
        void exited.then(({ code }) => reject(new Error(`exited (${code}): ${stderr}${stdout}`)));
      }),
    stop: () => child.kill('SIGTERM'),
  };
}
