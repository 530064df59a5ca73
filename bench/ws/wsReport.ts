import type { WsCaseResult, WsFigures } from './wsFigures.js';
import { formatColumns } from '../support/textTable.js';

/** One WebSocket case's line in the table and in results.json. */
export interface WsReportRow {
  readonly name: string;
  /** Plaza's database; null for the bare server. */
  readonly database: string | null;
  readonly request: string;
  /** The figure the case is judged on: RSS KiB per socket, p99 ms, or notices/s. */
  readonly headline: number;
  readonly unit: 'KiB/socket RSS' | 'ms p99' | 'notices/s';
  readonly detail: string;
  /** headline ÷ the bare-ws baseline's headline; null when the baseline did not run. */
  readonly ratioToBareWs: number | null;
  readonly maximum: number | null;
  readonly targetMet: boolean | null;
  readonly otherProcessesPercent: number | null;
}

function headline(figures: WsFigures): Pick<WsReportRow, 'headline' | 'unit' | 'detail'> {
  switch (figures.measures) {
    case 'memory': {
      const { rss, heapUsed, external } = figures.perSocketKiB;
      return {
        headline: rss,
        unit: 'KiB/socket RSS',
        detail: `heap ${heapUsed.toFixed(1)}, external ${external.toFixed(1)} KiB/socket`,
      };
    }
    case 'latency': {
      const { p50, max } = figures.latencyMs;
      const fromAnswer = figures.fromProviderAnswerMs;
      return {
        headline: figures.latencyMs.p99,
        unit: 'ms p99',
        detail:
          `p50 ${ms(p50)}, max ${ms(max)} ms, ${figures.latencyMs.samples} notices` +
          (fromAnswer === null
            ? ''
            : `; from provider answer: p50 ${ms(fromAnswer.p50)}, p99 ${ms(fromAnswer.p99)} ms`),
      };
    }
    case 'notices':
      return {
        headline: figures.noticesPerSecond,
        unit: 'notices/s',
        detail:
          `release → first ${ms(figures.releaseToFirstMs)} ms, → last ` +
          `${ms(figures.releaseToLastMs)} ms; first → last: ` +
          `${figures.firstToLastPerSecond.toFixed(0)}/s`,
      };
  }
}

/**
 * RSS per socket moves by up to ±0.7 KiB between runs (allocator pages reused or not), more than
 * Plaza adds; the heap's ratio is the steadier one, so memory rows show it too.
 */
function heapRatio(result: WsCaseResult, baseline: WsCaseResult | undefined): string {
  if (result.figures.measures !== 'memory' || baseline?.figures.measures !== 'memory') return '';
  const ratio = result.figures.perSocketKiB.heapUsed / baseline.figures.perSocketKiB.heapUsed;
  return ` (heap ${ratio.toFixed(2)} x bare)`;
}

const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(0));

/** The WebSocket figures to print, each Plaza case against its bare-ws baseline if it ran. */
export function toWsRows(results: readonly WsCaseResult[]): WsReportRow[] {
  return results.map((result) => {
    const own = headline(result.figures);
    const baseline = results.find((other) => other.info.name === result.info.baseline);
    const ratioToBareWs =
      baseline === undefined ? null : own.headline / headline(baseline.figures).headline;
    const maximum = result.info.maximum ?? null;
    return {
      name: result.info.name,
      database: result.database,
      request: result.info.request,
      ...own,
      detail: own.detail + heapRatio(result, baseline),
      ratioToBareWs,
      maximum,
      targetMet: maximum === null ? null : own.headline < maximum,
      otherProcessesPercent: result.cpu.otherProcessesPercent,
    };
  });
}

function figureText(row: WsReportRow): string {
  const digits = row.unit === 'notices/s' ? 0 : row.headline < 10 ? 2 : 1;
  return `${row.headline.toFixed(digits)} ${row.unit}`;
}

function verdict(row: WsReportRow): string {
  if (row.maximum === null) return '-';
  const unit = row.unit === 'ms p99' ? 'ms' : 'KiB';
  return `< ${row.maximum} ${unit} ${row.targetMet === true ? 'met' : 'MISSED'}`;
}

/** A plain-text table of the WebSocket cases; with `databases`, it says which Plaza ran on. */
export function formatWsTable(rows: readonly WsReportRow[], databases = false): string {
  return formatColumns(
    [
      'case',
      ...(databases ? ['db'] : []),
      'measures',
      'figure',
      'detail',
      'vs bare ws',
      'target',
      'other procs CPU',
    ],
    rows.map((row) => [
      row.name,
      ...(databases ? [row.database ?? '-'] : []),
      row.request,
      figureText(row),
      row.detail,
      row.ratioToBareWs === null ? '-' : row.ratioToBareWs.toFixed(2),
      verdict(row),
      row.otherProcessesPercent === null ? '-' : `${row.otherProcessesPercent.toFixed(0)}%`,
    ]),
  );
}

/** The line printed when a WebSocket case finishes. */
export function describeWsOutcome(result: WsCaseResult): string {
  const [row] = toWsRows([result]);
  const { cpu } = result;
  const others =
    cpu.otherProcessesPercent === null
      ? ''
      : `, other processes ${cpu.otherProcessesPercent.toFixed(0)}%`;
  const database =
    cpu.databasePercent === null ? '' : `, PostgreSQL ${cpu.databasePercent.toFixed(0)}%`;
  const where = result.database === 'postgres' ? ' on postgres' : '';
  return (
    `${result.info.name}${where}: ${row ? `${figureText(row)} (${row.detail})` : ''}; ` +
    `over ${cpu.seconds.toFixed(2)} s, CPU in % of a core: server ${cpu.serverPercent.toFixed(0)}%, ` +
    `clients ${cpu.clientsPercent.toFixed(0)}%${database}${others}` +
    result.notes.map((note) => `; ${note}`).join('')
  );
}

/** A WebSocket case in results.json: the row's figures and every measurement behind them. */
export function wsCaseDocument(result: WsCaseResult, row: WsReportRow): unknown {
  return {
    name: result.info.name,
    kind: 'ws',
    server: result.info.server,
    database: result.database,
    request: result.info.request,
    description: result.info.description,
    figure: row.headline,
    unit: row.unit,
    ratioToBareWs: row.ratioToBareWs,
    target: row.maximum === null ? null : { below: row.maximum, met: row.targetMet },
    figures: result.figures,
    cpu: result.cpu,
    notes: result.notes,
  };
}
