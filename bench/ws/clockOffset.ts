import type { WsServerProcess } from './server/wsServerProcess.js';

const SAMPLES = 20;

/**
 * How far the server child's clock is ahead of this process's, in ms, so that a time taken
 * there and one taken here can be subtracted. Both read `performance.timeOrigin +
 * performance.now()`, which can differ between processes by whatever the wall clock moved
 * between their starts. Taken from the IPC round trip with the least delay, so the error is
 * at most half of it (reported as `uncertaintyMs`).
 *
 * @example const { offsetMs } = await measureClockOffset(server); latency = arrival + offsetMs - sentAt
 */
export async function measureClockOffset(
  server: WsServerProcess,
): Promise<{ readonly offsetMs: number; readonly uncertaintyMs: number }> {
  let best = { offsetMs: 0, uncertaintyMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < SAMPLES; i += 1) {
    const asked = performance.timeOrigin + performance.now();
    const { now } = await server.ask({ type: 'clock' });
    const answered = performance.timeOrigin + performance.now();
    const uncertaintyMs = (answered - asked) / 2;
    if (uncertaintyMs < best.uncertaintyMs) {
      best = { offsetMs: now - (asked + answered) / 2, uncertaintyMs };
    }
  }
  return best;
}
