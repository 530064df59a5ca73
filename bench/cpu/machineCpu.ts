import { readFile } from 'node:fs/promises';

/**
 * CPU time the whole machine spent busy so far, in microseconds, from Linux's /proc/stat;
 * undefined elsewhere. Minus what the server and the load generator used, it shows how
 * much other processes took during a run: figures taken on a busy machine are low.
 */
export async function machineBusyMicros(): Promise<number | undefined> {
  let stat: string;
  try {
    stat = await readFile('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  // cpu  user nice system idle iowait irq softirq steal …, in USER_HZ ticks (100 a second).
  const fields = /^cpu\s+(.*)$/m.exec(stat)?.[1]?.trim().split(/\s+/).map(Number);
  if (!fields || fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = fields as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return (user + nice + system + irq + softirq + steal) * 10_000;
}
