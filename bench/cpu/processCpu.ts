import { readdir, readFile } from 'node:fs/promises';

/** CPU time each process has used so far, in microseconds, by process id. */
export type CpuSnapshot = ReadonlyMap<number, number>;

/** /proc reports CPU in USER_HZ ticks, 100 a second on Linux. */
const MICROS_PER_TICK = 10_000;

interface ProcessStat {
  readonly parentPid: number;
  readonly micros: number;
}

/** Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
async function statOf(pid: number): Promise<ProcessStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // Gone, or not Linux.
  }
  // state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime …
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const parentPid = Number(fields[1]);
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  if (![parentPid, user, system].every(Number.isFinite)) return undefined;
  return { parentPid, micros: (user + system) * MICROS_PER_TICK };
}

/**
 * The CPU used so far by these processes, all their threads included (Linux only: empty
 * elsewhere). Processes that are gone are left out.
 *
 * @example const before = await cpuOfProcesses([child.pid])
 */
export async function cpuOfProcesses(pids: readonly number[]): Promise<CpuSnapshot> {
  const stats = await Promise.all(pids.map(async (pid) => [pid, await statOf(pid)] as const));
  return new Map(stats.flatMap(([pid, stat]) => (stat ? [[pid, stat.micros] as const] : [])));
}

/**
 * The CPU used so far by a process and its children: PostgreSQL's postmaster and its
 * backends, checkpointer, WAL writer… (Linux only: empty elsewhere).
 */
export async function cpuOfProcessTree(rootPid: number): Promise<CpuSnapshot> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return new Map();
  }
  const pids = entries.filter((entry) => /^[0-9]+$/.test(entry)).map(Number);
  const stats = await Promise.all(pids.map(async (pid) => [pid, await statOf(pid)] as const));
  return new Map(
    stats.flatMap(([pid, stat]) =>
      stat && (pid === rootPid || stat.parentPid === rootPid) ? [[pid, stat.micros] as const] : [],
    ),
  );
}

/** The parent of a process, from /proc; undefined when unknown. */
export async function parentOf(pid: number): Promise<number | undefined> {
  return (await statOf(pid))?.parentPid;
}

/**
 * CPU used between two snapshots, in µs: each process's difference, the whole of what a
 * process that appeared meanwhile used. A process that ended meanwhile is lost (its time
 * goes to its parent's children's total, which is not counted: it may hold older work).
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): number {
  let micros = 0;
  for (const [pid, used] of after) micros += used - (before.get(pid) ?? 0);
  return Math.max(0, micros);
}
