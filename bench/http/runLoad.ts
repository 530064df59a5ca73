import { fork } from 'node:child_process';
import { onExit } from '../support/exitCleanup.js';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { GeneratorMessage, LoadPlan, LoadResult } from './loadPlan.js';
import { machineBusyMicros } from '../cpu/machineCpu.js';
import { cpuBetween, cpuOfProcesses, type CpuSnapshot } from '../cpu/processCpu.js';
import { startProfiling } from '../cpu/profiler.js';

/** Where the CPU went while the measured run lasted, in % of one core. */
export interface CpuDuringRun {
  /**
   * The server under test: this process when it hosts the server (all its threads, libuv's
   * pool included), or the server processes together.
   */
  readonly serverPercent: number;
  /** Share of the time the server's event loop was busy, 0–1; null for server processes. */
  readonly serverEventLoopUtilization: number | null;
  /** PostgreSQL's processes together; null when there is none (SQLite runs inside Plaza). */
  readonly databasePercent: number | null;
  readonly loadGeneratorPercent: number;
  /** Everything else on the machine (Linux only): should be near 0 for figures to mean much. */
  readonly otherProcessesPercent: number | null;
}

/** Where the CPU of what serves a case is read from, besides this process. */
export interface CpuSources {
  /** The server processes (Linux only); absent when the server runs in this process. */
  readonly serverPids?: readonly number[];
  /** PostgreSQL's processes; absent for SQLite and the baselines. */
  readonly database?: () => Promise<CpuSnapshot>;
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
  readonly machine: number | undefined;
  readonly servers: CpuSnapshot | undefined;
  readonly database: CpuSnapshot | undefined;
  readonly stopProfiling: (() => Promise<object>) | undefined;
}

async function startMeasuring(sources: CpuSources, profile: boolean): Promise<RunStart> {
  const { serverPids, database } = sources;
  const [machine, servers, databaseCpu, stopProfiling] = await Promise.all([
    machineBusyMicros(),
    serverPids && cpuOfProcesses(serverPids),
    database?.(),
    profile && serverPids === undefined ? startProfiling() : undefined,
  ]);
  return {
    at: performance.now(),
    cpu: process.cpuUsage(),
    loop: performance.eventLoopUtilization(),
    machine,
    servers,
    database: databaseCpu,
    stopProfiling,
  };
}

async function measure(
  start: RunStart,
  sources: CpuSources,
  result: LoadResult,
): Promise<LoadOutcome> {
  const elapsedMicros = (performance.now() - start.at) * 1000;
  const own = process.cpuUsage(start.cpu);
  const loop = performance.eventLoopUtilization(start.loop).utilization;
  const [machineAfter, serversAfter, databaseAfter] = await Promise.all([
    machineBusyMicros(),
    sources.serverPids && cpuOfProcesses(sources.serverPids),
    sources.database?.(),
  ]);
  const ownMicros = own.user + own.system;
  const serverMicros =
    start.servers && serversAfter ? cpuBetween(start.servers, serversAfter) : ownMicros;
  const databaseMicros =
    start.database && databaseAfter ? cpuBetween(start.database, databaseAfter) : undefined;
  // With server processes, this process only waits: its CPU is neither the server's nor others'.
  const accounted =
    serverMicros +
    (databaseMicros ?? 0) +
    result.generatorCpuMicros +
    (sources.serverPids ? ownMicros : 0);
  const percent = (micros: number): number => (micros / elapsedMicros) * 100;
  const others =
    start.machine === undefined || machineAfter === undefined
      ? null
      : Math.max(0, percent(machineAfter - start.machine - accounted));
  return {
    ...result,
    cpu: {
      serverPercent: percent(serverMicros),
      serverEventLoopUtilization: sources.serverPids ? null : loop,
      databasePercent: databaseMicros === undefined ? null : percent(databaseMicros),
      loadGeneratorPercent: percent(result.generatorCpuMicros),
      otherProcessesPercent: others,
    },
    ...(start.stopProfiling ? { profile: await start.stopProfiling() } : {}),
  };
}

/**
 * Loads a target from a child process and measures the server meanwhile: this process, or
 * the server processes in `cpu`. Every run is bounded: the child is killed if it outlives
 * its plan, or if the bench exits first. `profile` applies to a server in this process.
 *
 * @example const outcome = await runLoad({ name: 'read', origins: [origin], method: 'GET', … })
 */
export function runLoad(
  plan: LoadPlan,
  options: { readonly profile?: boolean; readonly cpu?: CpuSources } = {},
): Promise<LoadOutcome> {
  const profile = options.profile ?? false;
  const sources = options.cpu ?? {};
  // No inherited flags: a --cpu-prof given to the bench must profile the server, not this.
  const child = fork(GENERATOR, { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const forget = onExit(() => child.kill('SIGKILL'));
  child.once('exit', forget);
  const limitMs =
    (plan.warmupSeconds + plan.durationSeconds + plan.timeoutSeconds + GRACE_SECONDS) * 1000;
  let start: Promise<RunStart> | undefined;
  let finished = false;

  return new Promise<LoadOutcome>((resolve, reject) => {
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${plan.name}: the load generator did not finish within ${limitMs} ms`));
    }, limitMs);
    const settle = (): void => clearTimeout(killer);

    child.on('message', (message: GeneratorMessage) => {
      if (message.type === 'measuring') {
        start = startMeasuring(sources, profile);
      } else if (message.type === 'done' && start) {
        finished = true;
        settle();
        start.then((started) => measure(started, sources, message.result)).then(resolve, reject);
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
