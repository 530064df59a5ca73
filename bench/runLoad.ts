import { fork } from 'node:child_process';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { GeneratorMessage, LoadPlan, LoadResult } from './loadPlan.js';
import { machineBusyMicros } from './machineCpu.js';
import { startProfiling } from './profiler.js';

/** Where the CPU went while the measured run lasted, in % of one core. */
export interface CpuDuringRun {
  /** The bench process, i.e. the server under test (all its threads, libuv's pool included). */
  readonly serverPercent: number;
  /** Share of the time the server's event loop was busy, 0–1. */
  readonly serverEventLoopUtilization: number;
  readonly loadGeneratorPercent: number;
  /** Everything else on the machine (Linux only): should be near 0 for figures to mean much. */
  readonly otherProcessesPercent: number | null;
}

export interface LoadOutcome extends LoadResult {
  readonly cpu: CpuDuringRun;
  /** A `.cpuprofile` of the server during the measured run, when asked for. */
  readonly profile?: object;
}

const GENERATOR = new URL('./loadGenerator.js', import.meta.url);
/** Beyond warm-up + run + one request timeout, the generator is presumed stuck. */
const GRACE_SECONDS = 30;

interface RunStart {
  readonly at: number;
  readonly cpu: NodeJS.CpuUsage;
  readonly loop: EventLoopUtilization;
  readonly machine: Promise<number | undefined>;
  readonly stopProfiling: Promise<(() => Promise<object>) | undefined>;
}

async function measure(
  start: RunStart,
  result: LoadResult,
  profile: boolean,
): Promise<LoadOutcome> {
  const elapsedMicros = (performance.now() - start.at) * 1000;
  const own = process.cpuUsage(start.cpu);
  const loop = performance.eventLoopUtilization(start.loop).utilization;
  const [machineBefore, machineAfter, stop] = await Promise.all([
    start.machine,
    machineBusyMicros(),
    start.stopProfiling,
  ]);
  const serverMicros = own.user + own.system;
  const percent = (micros: number): number => (micros / elapsedMicros) * 100;
  const others =
    machineBefore === undefined || machineAfter === undefined
      ? null
      : Math.max(
          0,
          percent(machineAfter - machineBefore - serverMicros - result.generatorCpuMicros),
        );
  return {
    ...result,
    cpu: {
      serverPercent: percent(serverMicros),
      serverEventLoopUtilization: loop,
      loadGeneratorPercent: percent(result.generatorCpuMicros),
      otherProcessesPercent: others,
    },
    ...(profile && stop ? { profile: await stop() } : {}),
  };
}

/**
 * Loads a target from a child process and measures this process meanwhile.
 * Every run is bounded: the child is killed if it outlives its plan.
 *
 * @example const outcome = await runLoad({ name: 'read', origin, method: 'GET', … })
 */
export function runLoad(plan: LoadPlan, options: { profile?: boolean } = {}): Promise<LoadOutcome> {
  const profile = options.profile ?? false;
  // No inherited flags: a --cpu-prof given to the bench must profile the server, not this.
  const child = fork(GENERATOR, { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const limitMs =
    (plan.warmupSeconds + plan.durationSeconds + plan.timeoutSeconds + GRACE_SECONDS) * 1000;
  let start: RunStart | undefined;
  let finished = false;

  return new Promise<LoadOutcome>((resolve, reject) => {
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${plan.name}: the load generator did not finish within ${limitMs} ms`));
    }, limitMs);
    const settle = (): void => clearTimeout(killer);

    child.on('message', (message: GeneratorMessage) => {
      if (message.type === 'measuring') {
        start = {
          at: performance.now(),
          cpu: process.cpuUsage(),
          loop: performance.eventLoopUtilization(),
          machine: machineBusyMicros(),
          stopProfiling: profile ? startProfiling() : Promise.resolve(undefined),
        };
      } else if (message.type === 'done' && start) {
        finished = true;
        settle();
        measure(start, message.result, profile).then(resolve, reject);
      } else {
        settle();
        const reason =
          message.type === 'failed' ? message.message : 'it finished before it started';
        reject(new Error(`${plan.name}: the load generator failed: ${reason}`));
      }
    });
    child.on('error', (error) => {
      settle();
      reject(error);
    });
    // 'close' comes after the last IPC message.
    child.on('close', (code, signal) => {
      settle();
      if (!finished)
        reject(new Error(`${plan.name}: the load generator exited (${signal ?? `code ${code}`})`));
    });
    child.send(plan);
  });
}
