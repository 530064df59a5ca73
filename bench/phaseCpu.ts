import { machineBusyMicros } from './machineCpu.js';
import type { WsServerProcess } from './wsServerProcess.js';

/** Where the CPU went during a WebSocket case's measured phase, in % of one core. */
export interface PhaseCpu {
  readonly serverPercent: number;
  /** The bench process: the client sockets. */
  readonly clientsPercent: number;
  /** Everything else (Linux only); should be near 0 for the figures to mean much. */
  readonly otherProcessesPercent: number | null;
  readonly seconds: number;
}

/**
 * Starts watching the CPU of the server child, of this process (the clients) and of the
 * machine; the function returned stops and reports.
 *
 * @example const stop = await watchCpu(server); …; const cpu = await stop()
 */
export async function watchCpu(server: WsServerProcess): Promise<() => Promise<PhaseCpu>> {
  const [machine, serverCpu] = await Promise.all([
    machineBusyMicros(),
    server.ask({ type: 'cpu' }),
  ]);
  const own = process.cpuUsage();
  const at = performance.now();
  return async () => {
    const seconds = (performance.now() - at) / 1000;
    const used = process.cpuUsage(own);
    const [machineAfter, serverAfter] = await Promise.all([
      machineBusyMicros(),
      server.ask({ type: 'cpu' }),
    ]);
    const percent = (micros: number): number => (micros / (seconds * 1e6)) * 100;
    const serverMicros = serverAfter.micros - serverCpu.micros;
    const clientMicros = used.user + used.system;
    return {
      serverPercent: percent(serverMicros),
      clientsPercent: percent(clientMicros),
      otherProcessesPercent:
        machine === undefined || machineAfter === undefined
          ? null
          : Math.max(0, percent(machineAfter - machine - serverMicros - clientMicros)),
      seconds,
    };
  };
}
