import type { WsCaseInfo } from '../cases.js';
import type { DatabaseKind } from '../support/deployments.js';
import type { LatencySummary } from '../support/latencySummary.js';
import type { PhaseCpu } from './phaseCpu.js';
import type { MemorySnapshot } from './server/wsServerProtocol.js';

/** Server memory for idle authenticated sockets; per socket in KiB. */
export interface WsMemoryFigures {
  readonly measures: 'memory';
  readonly sockets: number;
  readonly before: MemorySnapshot;
  readonly after: MemorySnapshot;
  readonly perSocketKiB: {
    readonly rss: number;
    readonly heapUsed: number;
    /** `external` (Buffers included). */
    readonly external: number;
  };
  /** Opening and authenticating every socket, 100 handshakes at a time. */
  readonly connectSeconds: number;
}

/** Time from the server-side moment a notice leaves to its arrival at the client. */
export interface WsLatencyFigures {
  readonly measures: 'latency';
  readonly idleSockets: number;
  readonly watchedUsers: number;
  readonly perSecond: number;
  readonly latencyMs: LatencySummary;
  /** Plaza only: from the provider's answer (the job then saves the profile and reads it back). */
  readonly fromProviderAnswerMs: LatencySummary | null;
  readonly clockOffsetMs: number;
  readonly clockUncertaintyMs: number;
  readonly meanNoticeBytes: number;
}

/** Notices released together, counted where they arrive. */
export interface WsNoticeFigures {
  readonly measures: 'notices';
  readonly notices: number;
  /**
   * notices / (last arrival - release). Not from the first arrival: Plaza's first notice
   * comes only once most of the jobs' work is done (see bench/README.md).
   */
  readonly noticesPerSecond: number;
  /** (notices - 1) / (last arrival - first arrival). */
  readonly firstToLastPerSecond: number;
  readonly firstToLastMs: number;
  readonly releaseToFirstMs: number;
  readonly releaseToLastMs: number;
  readonly meanNoticeBytes: number;
}

export type WsFigures = WsMemoryFigures | WsLatencyFigures | WsNoticeFigures;

export interface WsCaseResult {
  readonly kind: 'ws';
  readonly info: WsCaseInfo;
  readonly figures: WsFigures;
  /** During the measured phase: connecting (memory), the notices (latency, throughput). */
  readonly cpu: PhaseCpu;
  readonly notes: readonly string[];
  /** Plaza's database; null for the bare server. */
  readonly database: DatabaseKind | null;
}
