/**
 * What the WebSocket server child (wsServer.ts) is asked, and what it answers. Both cross a
 * process boundary (IPC), so they hold only plain data. Times are milliseconds since the
 * epoch with sub-millisecond precision (`performance.timeOrigin + performance.now()`).
 */

/** Plaza's `/user-watch`, or a bare `ws` server doing the same work without Plaza. */
export type WsServerKind = 'plaza' | 'bare';

/** The child's first message from the bench. */
export interface WsServerStart {
  readonly kind: WsServerKind;
  /** Users to create, one per socket that will watch or idle. */
  readonly users: number;
  /** Plaza only: a fresh database (`sqlite:FILE` or `postgres://…?schema=NAME`); null for bare. */
  readonly databaseUrl: string | null;
  readonly jwtSecret: string;
  /** Plaza only: enrichment jobs in hand at once; at least as many as are ever held. */
  readonly concurrency: number;
}

/** The child's answer to `WsServerStart`. */
export type WsServerStarted =
  | {
      readonly type: 'ready';
      /** `ws://127.0.0.1:PORT`: the only host the bench connects to. */
      readonly origin: string;
      /** The users created, in order. */
      readonly userIds: readonly number[];
      readonly seedMs: number;
    }
  | { readonly type: 'failed'; readonly message: string };

/** Process memory after two full garbage collections, in bytes. */
export interface MemorySnapshot {
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly rss: number;
  /** C++ objects bound to JavaScript ones; includes `arrayBuffers` (Buffers). */
  readonly external: number;
  readonly arrayBuffers: number;
}

/**
 * The requests, each with what it answers:
 * - `memory`: a `MemorySnapshot` after `gc()`;
 * - `cpu`: the child's CPU time so far, in µs;
 * - `clock`: the child's clock now;
 * - `connections`: open TCP connections, WebSocket ones included;
 * - `trigger`: one notice per user. Plaza: `plaza.enrichment.request(userId)`; bare: send the
 *   frame. `perSecond` paces them (null: as fast as they go). Answers once all are triggered;
 * - `hold` / `release`: from `hold` on, notices wait (Plaza: the enricher holds its answers;
 *   bare: the frames are queued); `release` lets them all go at once and answers when;
 * - `status`: how many notices are held;
 * - `times`: per user, when its notice left (Plaza: the `enrichment.completed` listener;
 *   bare: just before the send) and, Plaza only, when the enricher answered;
 * - `close`: shuts down; the child exits after answering.
 */
export interface WsServerAnswers {
  readonly memory: MemorySnapshot;
  readonly cpu: { readonly micros: number };
  readonly clock: { readonly now: number };
  readonly connections: { readonly count: number };
  readonly trigger: { readonly triggered: number };
  readonly hold: { readonly holding: true };
  readonly release: { readonly at: number; readonly released: number };
  readonly status: { readonly held: number };
  readonly times: {
    readonly sent: ReadonlyArray<readonly [userId: number, at: number]>;
    readonly answered: ReadonlyArray<readonly [userId: number, at: number]>;
  };
  readonly close: { readonly closed: true };
}

type PlainRequestType = Exclude<keyof WsServerAnswers, 'trigger'>;

export type WsServerRequest =
  | {
      readonly type: 'trigger';
      readonly userIds: readonly number[];
      readonly perSecond: number | null;
    }
  | { readonly [K in PlainRequestType]: { readonly type: K } }[PlainRequestType];

/** A request on the wire: `id` pairs it with its answer. */
export interface WsServerCall {
  readonly id: number;
  readonly request: WsServerRequest;
}

export type WsServerReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly value: WsServerAnswers[keyof WsServerAnswers];
    }
  | { readonly id: number; readonly ok: false; readonly message: string };

/** What both hosts (Plaza and bare) do for the child's IPC loop. */
export interface WsHost {
  readonly origin: string;
  readonly userIds: readonly number[];
  connections(): Promise<number>;
  trigger(userIds: readonly number[], perSecond: number | null): Promise<number>;
  hold(): void;
  /** Lets every held notice go; returns how many. */
  release(): number;
  held(): number;
  times(): WsServerAnswers['times'];
  close(): Promise<void>;
}

/** The frame a text-protocol socket receives, as Plaza words it. */
export const TEXT_NOTICE = 'notice: socialuser data received';

/** The email of the bench's `index`th user; the fake provider finds a London profile for it. */
export const benchEmail = (index: number): string => `ws.user${index}@example.com`;
