import { machineBusyMicros } from '../cpu/machineCpu.js';
import { cpuBetween, type CpuSnapshot } from '../cpu/processCpu.js';
import type { WsServerProcess } from './server/wsServerProcess.js';

/** Where the CPU went during a WebSocket case's measured phase, in % of one core. */
export interface PhaseCpu {
  readonly serverPercent: number;
  /** The bench process: the client sockets. */
  readonly clientsPercent: number;
  /** PostgreSQL's processes together; null without one (SQLite runs inside Plaza). */
  readonly databasePercent: number | null;
  /** Everything else (Linux only); should be near 0 for the figures to mean much. */
  readonly otherProcessesPercent: number | null;
  readonly seconds: number;
}

/**
 * Starts watching the CPU of the server child, of this process (the clients), of
 * PostgreSQL's processes when there are some, and of the machine; the function returned
 * stops and reports.
 *
 * @example const stop = await watchCpu(server); …; const cpu = await stop()
 */
export async function watchCpu(
  server: WsServerProcess,
  database?: () => Promise<CpuSnapshot>,
): Promise<() => Promise<PhaseCpu>> {
  const [machine, serverCpu, databaseCpu] = await Promise.all([
    machineBusyMicros(),
    server.ask({ type: 'cpu' }),
    database?.(),
  ]);
  const own = process.cpuUsage();
  const at = performance.now();
  return async () => {
    const seconds = (performance.now() - at) / 1000;
    const used = process.cpuUsage(own);
    const [machineAfter, serverAfter, databaseAfter] = await Promise.all([
      machineBusyMicros(),
      server.ask({ type: 'cpu' }),
      database?.(),
    ]);
    const percent = (micros: number): number => (micros / (seconds * 1e6)) * 100;
    const serverMicros = serverAfter.micros - serverCpu.micros;
    const clientMicros = used.user + used.system;
    const databaseMicros =
      databaseCpu && databaseAfter ? cpuBetween(databaseCpu, databaseAfter) : undefined;
    const accounted = serverMicros + clientMicros + (databaseMicros ?? 0);
    return {
      serverPercent: percent(serverMicros),
      clientsPercent: percent(clientMicros),
      databasePercent: databaseMicros === undefined ? null : percent(databaseMicros),
      otherProcessesPercent:
        machine === undefined || machineAfter === undefined
          ? null
          : Math.max(0, percent(machineAfter - machine - accounted)),
      seconds,
    };
  };
}
