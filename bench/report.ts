import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { HttpCaseInfo } from './cases.js';
import type { BenchOptions } from './options.js';
import type { PlannerCaseResult } from './plannerCase.js';
import {
  describePlannerOutcome,
  formatPlannerTable,
  plannerCaseDocument,
} from './plannerReport.js';
import type { LoadOutcome } from './runLoad.js';
import { formatColumns } from './textTable.js';
import type { WsCaseResult } from './wsFigures.js';
import { describeWsOutcome, formatWsTable, toWsRows, wsCaseDocument } from './wsReport.js';

export interface HttpCaseResult {
  readonly kind: 'http';
  readonly info: HttpCaseInfo;
  readonly outcome: LoadOutcome;
  /** Facts checked after the run, such as how many likes were stored. */
  readonly notes: readonly string[];
}

export type CaseResult = HttpCaseResult | WsCaseResult | PlannerCaseResult;

const isHttp = (result: CaseResult): result is HttpCaseResult => result.kind === 'http';
const isWs = (result: CaseResult): result is WsCaseResult => result.kind === 'ws';
const isPlanner = (result: CaseResult): result is PlannerCaseResult => result.kind === 'planner';

export interface ReportRow {
  readonly name: string;
  readonly request: string;
  readonly unit: HttpCaseInfo['unit'];
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Against Koa + koa-body + JWT; null when that baseline did not run or does not apply. */
  readonly ratioToKoaJwt: number | null;
  readonly ratioToBareKoa: number | null;
  readonly target: number | null;
  readonly targetMet: boolean | null;
  /** CPU other processes used during the run, in % of a core; null off Linux. */
  readonly otherProcessesPercent: number | null;
}

const rateOf = (result: HttpCaseResult | undefined): number | undefined =>
  result?.outcome.measured.requestsPerSecond.mean;

/** The HTTP figures to print, with each endpoint's ratio to the baselines that ran. */
export function toRows(results: readonly CaseResult[]): ReportRow[] {
  const http = results.filter(isHttp);
  const bareKoa = rateOf(http.find((r) => r.info.name === 'bare-koa'));
  const koaJwt = rateOf(http.find((r) => r.info.name === 'koa-jwt'));
  return http.map(({ info, outcome }) => {
    const rate = outcome.measured.requestsPerSecond.mean;
    const comparable = info.unit === 'req/s';
    const ratioToKoaJwt = comparable && info.name !== 'bare-koa' && koaJwt ? rate / koaJwt : null;
    const ratioToBareKoa = comparable && bareKoa ? rate / bareKoa : null;
    const target = info.target ?? null;
    return {
      name: info.name,
      request: info.request,
      unit: info.unit,
      rate,
      p50Ms: outcome.measured.latencyMs.p50,
      p99Ms: outcome.measured.latencyMs.p99,
      ratioToKoaJwt,
      ratioToBareKoa,
      target,
      targetMet: target === null || ratioToKoaJwt === null ? null : ratioToKoaJwt >= target,
      otherProcessesPercent: outcome.cpu.otherProcessesPercent,
    };
  });
}

const fixed = (value: number | null, digits: number): string =>
  value === null ? '-' : value.toFixed(digits);

function verdict(row: ReportRow): string {
  if (row.target === null) return '-';
  const wanted = `>= ${row.target.toFixed(2)}`;
  if (row.targetMet === null) return `${wanted} (no baseline)`;
  return `${wanted} ${row.targetMet ? 'met' : 'MISSED'}`;
}

/** A plain-text table, one row per HTTP case. */
export function formatTable(rows: readonly ReportRow[]): string {
  return formatColumns(
    [
      'case',
      'request',
      'rate',
      'p50 ms',
      'p99 ms',
      'vs koa+jwt',
      'vs bare koa',
      'target',
      'other procs CPU',
    ],
    rows.map((row) => [
      row.name,
      row.request,
      `${fixed(row.rate, row.unit === 'req/s' ? 0 : 2)} ${row.unit}`,
      fixed(row.p50Ms, 0),
      fixed(row.p99Ms, 0),
      fixed(row.ratioToKoaJwt, 2),
      fixed(row.ratioToBareKoa, 2),
      verdict(row),
      row.otherProcessesPercent === null ? '-' : `${row.otherProcessesPercent.toFixed(0)}%`,
    ]),
  );
}

/** The tables for the cases that ran: HTTP, WebSocket, then the planner. */
export function formatTables(results: readonly CaseResult[]): string {
  const http = toRows(results);
  const ws = toWsRows(results.filter(isWs));
  return [
    ...(http.length > 0 ? [formatTable(http)] : []),
    ...(ws.length > 0 ? [formatWsTable(ws)] : []),
    ...results.filter(isPlanner).map(formatPlannerTable),
  ].join('\n\n');
}

/** CPU other processes used while a case ran, in % of a core; null off Linux. */
export function otherProcessesPercentOf(result: CaseResult): number | null {
  return isHttp(result)
    ? result.outcome.cpu.otherProcessesPercent
    : result.cpu.otherProcessesPercent;
}

/**
 * Server CPU time per answer, in microseconds. Unlike req/s it hardly moves when other
 * processes compete for the CPU, so it is the figure to compare across runs on a busy machine.
 */
export function serverMicrosPerRequest(result: HttpCaseResult): number {
  const { cpu, measured } = result.outcome;
  return measured.requestsPerSecond.mean > 0
    ? ((cpu.serverPercent / 100) * 1e6) / measured.requestsPerSecond.mean
    : Number.NaN;
}

/** One line per finished case, printed as the bench goes. */
export function describeOutcome(result: CaseResult): string {
  if (isWs(result)) return describeWsOutcome(result);
  if (isPlanner(result)) return describePlannerOutcome(result);
  const { measured, cpu } = result.outcome;
  const rate = measured.requestsPerSecond.mean.toFixed(result.info.unit === 'req/s' ? 0 : 2);
  const perRequest = serverMicrosPerRequest(result);
  const others =
    cpu.otherProcessesPercent === null
      ? ''
      : `, other processes ${cpu.otherProcessesPercent.toFixed(0)}%`;
  return (
    `${result.info.name}: ${rate} ${result.info.unit}, p50 ${measured.latencyMs.p50} ms, ` +
    `p99 ${measured.latencyMs.p99} ms, ${measured.ok2xx} answers all 2xx; ` +
    `server CPU ${perRequest.toFixed(0)} µs per answer; ` +
    `CPU in % of a core: server ${cpu.serverPercent.toFixed(0)}% ` +
    `(event loop ${(cpu.serverEventLoopUtilization * 100).toFixed(0)}% busy), ` +
    `load generator ${cpu.loadGeneratorPercent.toFixed(0)}%${others}` +
    result.notes.map((note) => `; ${note}`).join('')
  );
}

/** What `bench/results.json` holds: the machine, the settings, and every case's figures. */
export function resultsDocument(
  options: BenchOptions,
  results: readonly CaseResult[],
  run: { readonly date: Date; readonly loadAverageAtStart: readonly number[] },
): unknown {
  const rows = toRows(results);
  const wsResults = results.filter(isWs);
  const wsRows = toWsRows(wsResults);
  const cpus = os.cpus();
  return {
    date: run.date.toISOString(),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform} ${os.release()}`,
      arch: process.arch,
      totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
      uvThreadpoolSize: Number(process.env['UV_THREADPOOL_SIZE'] ?? 4),
      // Other processes competing for the CPU depress every figure; ratios suffer less.
      loadAverage1mAtStart: run.loadAverageAtStart[0],
      loadAverage1mAtEnd: os.loadavg()[0],
    },
    settings: {
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      host: '127.0.0.1',
      loadGenerator: 'autocannon in a child process',
      webSocket: 'server in a child process (node --expose-gc), clients (ws) in the bench process',
    },
    cases: results.map((result) => {
      if (isWs(result)) return wsCaseDocument(result, wsRows[wsResults.indexOf(result)]!);
      if (isPlanner(result)) return plannerCaseDocument(result);
      const row = rows.find((r) => r.name === result.info.name)!;
      const { measured, cpu } = result.outcome;
      return {
        name: result.info.name,
        kind: 'http',
        request: result.info.request,
        description: result.info.description,
        unit: result.info.unit,
        rate: row.rate,
        requestsPerSecond: measured.requestsPerSecond,
        latencyMs: measured.latencyMs,
        durationSeconds: measured.durationSeconds,
        responses: measured.responses,
        non2xx: measured.non2xx,
        errors: measured.errors,
        timeouts: measured.timeouts,
        statusCounts: measured.statusCounts,
        ratioToKoaJwt: row.ratioToKoaJwt,
        ratioToBareKoa: row.ratioToBareKoa,
        target: row.target,
        targetMet: row.targetMet,
        cpu,
        serverCpuMicrosPerAnswer: serverMicrosPerRequest(result),
        notes: result.notes,
      };
    }),
  };
}

export async function writeResults(path: URL, document: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
}
