/**
 * What the load generator is asked to do, and what it answers. Both cross a process
 * boundary (IPC), so they hold only plain data.
 */
export interface LoadPlan {
  readonly name: string;
  /**
   * `http://127.0.0.1:PORT`, the only host the bench ever loads: one per server instance.
   * Connection i goes to origin i mod n, as a round-robin load balancer spreads connections.
   */
  readonly origins: readonly string[];
  readonly method: 'GET' | 'POST';
  readonly connections: number;
  readonly durationSeconds: number;
  /** Run first and thrown away (it is still checked for non-2xx answers). */
  readonly warmupSeconds: number;
  /** How long one request may wait for its answer before it counts as an error. */
  readonly timeoutSeconds: number;
  /** Cycled through; each request takes the next one. */
  readonly paths: readonly string[];
  /** Form bodies, cycled through like `paths`; empty for no body. */
  readonly bodies: readonly string[];
  /** `Authorization` values; the next one is taken each time the paths and bodies wrap. */
  readonly authorizations: readonly string[];
  /**
   * Each path goes with the authorization of the same index instead (a user's own cursor
   * with that user's token): the `index`th request takes both at `index`.
   */
  readonly pairAuthorizations?: boolean;
}

export interface RequestShape {
  readonly path: string;
  readonly body: string | undefined;
  readonly authorization: string | undefined;
}

/**
 * The `index`th request of a plan. With 2,000 like bodies and 50 tokens, requests 0 to
 * 99,999 are 100,000 different (post, user) pairs: every like is a new row until then.
 *
 * @example requestAt(plan, 0) // { path: '/post/like', body: 'post_id=1', authorization: 'JWT …' }
 */
export function requestAt(plan: LoadPlan, index: number): RequestShape {
  const round = Math.max(plan.paths.length, plan.bodies.length, 1);
  return {
    path: pick(plan.paths, index) ?? '/',
    body: pick(plan.bodies, index),
    authorization: pick(
      plan.authorizations,
      plan.pairAuthorizations === true ? index : Math.floor(index / round),
    ),
  };
}

const pick = (values: readonly string[], index: number): string | undefined =>
  values.length === 0 ? undefined : values[index % values.length];

/** The figures of one measured run. Latencies in milliseconds. */
export interface LoadFigures {
  readonly requestsPerSecond: { readonly mean: number; readonly stddev: number };
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly mean: number;
    readonly max: number;
  };
  readonly durationSeconds: number;
  /** Answers received, whatever their status. */
  readonly responses: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** A few non-2xx answers, as `status body`, to say what went wrong. */
  readonly failureSamples: readonly string[];
}

export interface LoadResult {
  readonly warmup: LoadFigures | undefined;
  readonly measured: LoadFigures;
  /** CPU the load generator itself used during the measured run. */
  readonly generatorCpuMicros: number;
}

/** Messages from the load generator to the bench. */
export type GeneratorMessage =
  | { readonly type: 'measuring' }
  | { readonly type: 'done'; readonly result: LoadResult }
  | { readonly type: 'failed'; readonly message: string };

/** True when a run answered every request with a 2xx: anything else makes it worthless. */
export const isClean = (figures: LoadFigures): boolean =>
  figures.non2xx === 0 && figures.errors === 0 && figures.timeouts === 0 && figures.ok2xx > 0;
