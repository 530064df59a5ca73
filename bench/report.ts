import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { PostgresInfo } from './support/BenchDatabases.js';
import { HTTP_CASE_NAMES, type HttpCaseInfo } from './cases.js';
import {
  deploymentLabel,
  isDefaultDeployment,
  sameDeployment,
  DEFAULT_DEPLOYMENT,
  type Deployment,
} from './support/deployments.js';
import type { BenchOptions } from './options.js';
import type { PlannerCaseResult } from './planner/plannerCase.js';
import {
  describePlannerOutcome,
  formatPlannerTable,
  plannerCaseDocument,
} from './planner/plannerReport.js';
import type { LoadOutcome } from './http/runLoad.js';
import { formatColumns } from './support/textTable.js';
import type { WsCaseResult } from './ws/wsFigures.js';
import { describeWsOutcome, formatWsTable, toWsRows, wsCaseDocument } from './ws/wsReport.js';

export interface HttpCaseResult {
  readonly kind: 'http';
  readonly info: HttpCaseInfo;
  /** Where Plaza ran; null for the baselines. */
  readonly deployment: Deployment | null;
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
  /** `sqlite`, `postgres x2`…; null for the baselines. */
  readonly deployment: string | null;
  readonly request: string;
  readonly unit: HttpCaseInfo['unit'];
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Against Koa + koa-body + JWT; null when that baseline did not run or does not apply. */
  readonly ratioToKoaJwt: number | null;
  readonly ratioToBareKoa: number | null;
  /** Against the same case on SQLite with one instance, in this run; null when it did not run. */
  readonly ratioToSqlite: number | null;
  /** Against the case `info.peer` names, in this run (200,000 likes against none); null when none. */
  readonly peer: string | null;
  readonly ratioToPeer: number | null;
  readonly target: number | null;
  readonly targetMet: boolean | null;
  /** CPU during the run, in % of a core: the server (all its instances), PostgreSQL, autocannon. */
  readonly serverPercent: number;
  readonly databasePercent: number | null;
  readonly loadGeneratorPercent: number;
  /** CPU other processes used during the run, in % of a core; null off Linux. */
  readonly otherProcessesPercent: number | null;
}

const rateOf = (result: HttpCaseResult | undefined): number | undefined =>
  result?.outcome.measured.requestsPerSecond.mean;

/** One HTTP case's figures, with its ratios to the baselines and to SQLite from `all`. */
function rowOf(result: HttpCaseResult, all: readonly HttpCaseResult[]): ReportRow {
  const { info, outcome, deployment } = result;
  const bareKoa = rateOf(all.find((r) => r.info.name === 'bare-koa'));
  const koaJwt = rateOf(all.find((r) => r.info.name === 'koa-jwt'));
  const onSqlite = rateOf(
    all.find(
      (r) =>
        r.info.name === info.name &&
        r.deployment !== null &&
        sameDeployment(r.deployment, DEFAULT_DEPLOYMENT),
    ),
  );
  const peer = info.peer ?? null;
  const peerRate = rateOf(
    all.find(
      (r) =>
        r.info.name === peer &&
        (r.deployment === null || deployment === null
          ? r.deployment === deployment
          : sameDeployment(r.deployment, deployment)),
    ),
  );
  const rate = outcome.measured.requestsPerSecond.mean;
  const comparable = info.unit === 'req/s';
  const ratioToKoaJwt = comparable && info.name !== 'bare-koa' && koaJwt ? rate / koaJwt : null;
  const ratioToBareKoa = comparable && bareKoa ? rate / bareKoa : null;
  const target = info.target ?? null;
  return {
    name: info.name,
    deployment: deployment === null ? null : deploymentLabel(deployment),
    request: info.request,
    unit: info.unit,
    rate,
    p50Ms: outcome.measured.latencyMs.p50,
    p99Ms: outcome.measured.latencyMs.p99,
    ratioToKoaJwt,
    ratioToBareKoa,
    ratioToSqlite: deployment !== null && onSqlite ? rate / onSqlite : null,
    peer,
    ratioToPeer: peerRate ? rate / peerRate : null,
    target,
    targetMet: target === null || ratioToKoaJwt === null ? null : ratioToKoaJwt >= target,
    serverPercent: outcome.cpu.serverPercent,
    databasePercent: outcome.cpu.databasePercent,
    loadGeneratorPercent: outcome.cpu.loadGeneratorPercent,
    otherProcessesPercent: outcome.cpu.otherProcessesPercent,
  };
}

/** The HTTP cases in table order: by case, each case's deployments in the order they ran. */
const inTableOrder = (http: readonly HttpCaseResult[]): HttpCaseResult[] =>
  [...http].sort(
    (a, b) => HTTP_CASE_NAMES.indexOf(a.info.name) - HTTP_CASE_NAMES.indexOf(b.info.name),
  );

/** The HTTP figures to print, with each endpoint's ratio to the baselines that ran. */
export function toRows(results: readonly CaseResult[]): ReportRow[] {
  const http = results.filter(isHttp);
  return inTableOrder(http).map((result) => rowOf(result, http));
}

/** True when some Plaza case ran anywhere but on SQLite in this process: the table says where. */
const hasDeployments = (results: readonly CaseResult[]): boolean =>
  results.some(
    (result) =>
      (isHttp(result) && result.deployment !== null && !isDefaultDeployment(result.deployment)) ||
      (isWs(result) && result.database === 'postgres'),
  );

const fixed = (value: number | null, digits: number): string =>
  value === null ? '-' : value.toFixed(digits);

function verdict(row: ReportRow): string {
  if (row.target === null) return '-';
  const wanted = `>= ${row.target.toFixed(2)}`;
  if (row.targetMet === null) return `${wanted} (no baseline)`;
  return `${wanted} ${row.targetMet ? 'met' : 'MISSED'}`;
}

const percentText = (value: number | null): string =>
  value === null ? '-' : `${value.toFixed(0)}%`;

/**
 * A plain-text table, one row per HTTP case. With `deployments`, it adds where each Plaza
 * case ran, its ratio to the same case on SQLite, and where the CPU went.
 */
export function formatTable(rows: readonly ReportRow[], deployments = false): string {
  const peers = rows.some((row) => row.ratioToPeer !== null);
  const cells = (row: ReportRow): string[] => [
    row.name,
    ...(deployments ? [row.deployment ?? '-'] : []),
    row.request,
    `${fixed(row.rate, row.unit === 'req/s' ? 0 : 2)} ${row.unit}`,
    fixed(row.p50Ms, 0),
    fixed(row.p99Ms, 0),
    fixed(row.ratioToKoaJwt, 2),
    fixed(row.ratioToBareKoa, 2),
    ...(deployments ? [fixed(row.ratioToSqlite, 2)] : []),
    ...(peers
      ? [row.ratioToPeer === null ? '-' : `${fixed(row.ratioToPeer, 2)} (${row.peer ?? '?'})`]
      : []),
    verdict(row),
    ...(deployments
      ? [
          `${row.serverPercent.toFixed(0)} / ${fixed(row.databasePercent, 0)} / ` +
            row.loadGeneratorPercent.toFixed(0),
        ]
      : []),
    percentText(row.otherProcessesPercent),
  ];
  return formatColumns(
    [
      'case',
      ...(deployments ? ['db'] : []),
      'request',
      'rate',
      'p50 ms',
      'p99 ms',
      'vs koa+jwt',
      'vs bare koa',
      ...(deployments ? ['vs sqlite'] : []),
      ...(peers ? ['vs other case'] : []),
      'target',
      ...(deployments ? ['CPU % server / pg / load gen'] : []),
      'other procs CPU',
    ],
    rows.map(cells),
  );
}

/** Busier than this share of the machine's cores, a run was bounded by the CPU. */
const SATURATED = 0.9;

/**
 * Says which Plaza runs had the whole machine busy: their rate is what the cores allow once
 * the load generator, PostgreSQL and the server processes have shared them, not a ceiling
 * of Plaza's or PostgreSQL's own.
 */
export function saturationNote(rows: readonly ReportRow[]): string | undefined {
  const cores = os.cpus().length;
  const busy = rows.filter((row) => {
    if (row.deployment === null) return false;
    const total = row.serverPercent + (row.databasePercent ?? 0) + row.loadGeneratorPercent;
    return total >= SATURATED * cores * 100;
  });
  if (busy.length === 0) return undefined;
  return (
    `note: ${busy.map((row) => `${row.name} on ${row.deployment ?? '?'}`).join(', ')} kept all ` +
    `${cores} cores busy (server + PostgreSQL + load generator >= ${SATURATED * 100}% of them): ` +
    'those rates are bounded by the CPU this machine has, shared with the load generator, ' +
    'not by Plaza or PostgreSQL alone; on more cores, more instances would go further.'
  );
}

/** The tables for the cases that ran: HTTP, WebSocket, then the planner. */
export function formatTables(results: readonly CaseResult[]): string {
  const http = toRows(results);
  const ws = toWsRows(results.filter(isWs));
  const deployments = hasDeployments(results);
  const note = deployments ? saturationNote(http) : undefined;
  return [
    ...(http.length > 0 ? [formatTable(http, deployments)] : []),
    ...(note === undefined ? [] : [note]),
    ...(ws.length > 0 ? [formatWsTable(ws, deployments)] : []),
    ...results.filter(isPlanner).map(formatPlannerTable),
  ].join('\n\n');
}

/** `like`, or `like on postgres x2` when Plaza ran anywhere but on SQLite in this process. */
export function caseLabel(result: CaseResult): string {
  if (isHttp(result) && result.deployment !== null && !isDefaultDeployment(result.deployment)) {
    return `${result.info.name} on ${deploymentLabel(result.deployment)}`;
  }
  if (isWs(result) && result.database === 'postgres') return `${result.info.name} on postgres`;
  return result.info.name;
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

/** PostgreSQL's CPU time per answer, in microseconds; null without PostgreSQL. */
export function databaseMicrosPerRequest(result: HttpCaseResult): number | null {
  const { cpu, measured } = result.outcome;
  if (cpu.databasePercent === null || measured.requestsPerSecond.mean <= 0) return null;
  return ((cpu.databasePercent / 100) * 1e6) / measured.requestsPerSecond.mean;
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
  const where =
    result.deployment === null || isDefaultDeployment(result.deployment)
      ? ''
      : ` on ${deploymentLabel(result.deployment)}`;
  const loop =
    cpu.serverEventLoopUtilization === null
      ? ''
      : ` (event loop ${(cpu.serverEventLoopUtilization * 100).toFixed(0)}% busy)`;
  const database =
    cpu.databasePercent === null ? '' : `, PostgreSQL ${cpu.databasePercent.toFixed(0)}%`;
  const databasePerAnswer = databaseMicrosPerRequest(result);
  const databasePerRequest =
    databasePerAnswer === null ? '' : ` + PostgreSQL ${databasePerAnswer.toFixed(0)} µs`;
  return (
    `${result.info.name}${where}: ${rate} ${result.info.unit}, p50 ${measured.latencyMs.p50} ms, ` +
    `p99 ${measured.latencyMs.p99} ms, ${measured.ok2xx} answers all 2xx; ` +
    `server CPU ${perRequest.toFixed(0)} µs${databasePerRequest} per answer; ` +
    `CPU in % of a core: server ${cpu.serverPercent.toFixed(0)}%${loop}${database}, ` +
    `load generator ${cpu.loadGeneratorPercent.toFixed(0)}%${others}` +
    result.notes.map((note) => `; ${note}`).join('')
  );
}

/** What `bench/results.json` holds: the machine, the settings, and every case's figures. */
export function resultsDocument(
  options: BenchOptions,
  results: readonly CaseResult[],
  run: {
    readonly date: Date;
    readonly loadAverageAtStart: readonly number[];
    /** The cluster the bench started, if any. */
    readonly postgres?: PostgresInfo | undefined;
  },
): unknown {
  const http = results.filter(isHttp);
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
      scaleOut: options.scaleOut,
      // Plaza's HTTP cases ran on each; 2 instances are plaza-server processes on one database.
      deployments: options.deployments.map(deploymentLabel),
      webSocketDatabases: options.databases,
      postgres:
        run.postgres === undefined
          ? null
          : {
              version: run.postgres.version,
              host: run.postgres.host,
              settings: run.postgres.settings,
            },
    },
    cases: results.map((result) => {
      if (isWs(result)) return wsCaseDocument(result, wsRows[wsResults.indexOf(result)]!);
      if (isPlanner(result)) return plannerCaseDocument(result);
      const row = rowOf(result, http);
      const { measured, cpu } = result.outcome;
      return {
        name: result.info.name,
        kind: 'http',
        database: result.deployment?.database ?? null,
        instances: result.deployment?.instances ?? null,
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
        ratioToSqlite: row.ratioToSqlite,
        peer: row.peer,
        ratioToPeer: row.ratioToPeer,
        target: row.target,
        targetMet: row.targetMet,
        cpu,
        serverCpuMicrosPerAnswer: serverMicrosPerRequest(result),
        databaseCpuMicrosPerAnswer: databaseMicrosPerRequest(result),
        notes: result.notes,
      };
    }),
  };
}

export async function writeResults(path: URL, document: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
}
