import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(
  new URL('../../../packages/server-koa/dist/cli.js', import.meta.url),
);

/**
 * How long a child may take to start (load, migrate, listen) or to stop once signalled. A
 * start takes about a second on a quiet machine and can take well over ten on a saturated
 * one; these are ceilings only, and a child that exits instead fails the wait at once.
 */
export const CHILD_START_MS = 120_000;
export const CHILD_STOP_MS = 60_000;

export interface CliRun {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /**
   * Resolves with the listening URL once the server logs it; rejects, with the child's
   * output, as soon as it exits first, or after CHILD_START_MS.
   */
  readonly listening: Promise<string>;
  /**
   * The exit code, or the name of the signal that ended the process (so a failed assertion
   * says which), once the process and its output are closed.
   */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /**
   * Resolves once stdout has a line matching `pattern`; rejects, with the child's output, if
   * it exits first or after `timeoutMs`.
   */
  logged(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal`, then resolves with the exit code; rejects after CHILD_STOP_MS. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
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
  let closed = false;
  const wakers = new Set<() => void>();
  const wake = (): void => {
    for (const waker of wakers) waker();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  // 'close', not 'exit': the process may exit before its output has all been read.
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('close', (code, signal) => {
      closed = true;
      wake();
      resolve(code ?? signal);
    }),
  );
  const output = (): string => `\n--- stderr:\n${err}\n--- stdout:\n${out}`;

  /** Resolves with `found()` once it is defined; checked on every chunk of stdout. */
  const waitFor = <T>(what: string, found: () => T | undefined, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        wakers.delete(check);
        reject(new Error(`waited ${timeoutMs} ms for ${what}${output()}`));
      }, timeoutMs);
      const check = (): void => {
        const value = found();
        if (value === undefined && !closed) return;
        clearTimeout(timer);
        wakers.delete(check);
        if (value !== undefined) resolve(value);
        else reject(new Error(`exited (code ${child.exitCode}) before ${what}${output()}`));
      };
      wakers.add(check);
      check();
    });

  const listening = waitFor(
    'the server to listen',
    () => /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1],
    CHILD_START_MS,
  );
  listening.catch(() => undefined);

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    listening,
    exited,
    logged: async (pattern, timeoutMs = CHILD_START_MS) => {
      await waitFor(
        `a line matching ${String(pattern)}`,
        () => pattern.exec(out) ?? undefined,
        timeoutMs,
      );
    },
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`waited ${CHILD_STOP_MS} ms for the exit after ${signal}${output()}`)),
          CHILD_STOP_MS,
        );
      });
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
