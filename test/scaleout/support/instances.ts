import { temporaryDirectory } from '@plaza/testkit';
import { runCli, type CliRun } from '../../support/cliProcess.js';
import { Api } from '../../support/http.js';

/** One `plaza-server` process (the real CLI) on 127.0.0.1. */
export interface Instance {
  readonly name: string;
  readonly run: CliRun;
  readonly url: string;
  readonly api: Api;
}

export interface InstanceSpec {
  readonly name: string;
  /** The whole environment of the process (PORT, HOST and LOG_LEVEL are filled in). */
  readonly env: Readonly<Record<string, string>>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/**
 * Starts one CLI process per spec, all at once (so they race for migrations and the shared
 * JWT secret, as a real rollout does), and waits for each to listen. Every process is
 * SIGKILLed when the test ends, passed or failed, unless it has exited already.
 *
 * @example const [a, b, c] = await startInstances(t, specs)
 */
export async function startInstances(
  t: Teardown,
  specs: readonly InstanceSpec[],
): Promise<Instance[]> {
  const cwd = await temporaryDirectory(t);
  const runs = specs.map((spec) => {
    const run = runCli([], {
      cwd,
      env: { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...spec.env },
    });
    const kill = (): void => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    };
    t.teardown(kill);
    // Should the test worker itself go down before its teardowns run.
    process.once('exit', kill);
    void run.exited.then(() => process.off('exit', kill));
    return run;
  });
  return Promise.all(
    runs.map(async (run, index) => {
      const name = specs[index]?.name ?? `instance ${index}`;
      // Bounded by runCli's ceiling for a child's start (three start at once, on 2 cores).
      const url = await run.listening.catch((error: unknown) => {
        throw new Error(`${name}: ${(error as Error).message}`);
      });
      return { name, run, url, api: new Api(url) };
    }),
  );
}

/** SIGTERM, then the exit code once the process has finished (bounded by runCli). */
export async function stopInstance(instance: Instance): Promise<number | NodeJS.Signals | null> {
  return instance.run.stop('SIGTERM').catch((error: unknown) => {
    throw new Error(`${instance.name}: ${(error as Error).message}`);
  });
}

/** The instance's JSON log lines (stdout); lines that are not JSON are skipped. */
export function logLines(instance: Instance): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const line of instance.run.stdout().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A line cut short by a kill.
    }
  }
  return lines;
}

/** Runs `work(0)` … `work(count - 1)` with at most `lanes` at once; results in index order. */
export async function inLanes<T>(
  count: number,
  lanes: number,
  work: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, count) }, lane));
  return results;
}
