/** The cases on the realistic database (bench/social/), SQLite in this process only. */
export const SOCIAL_CASE_NAMES = [
  'feed',
  'feed-deep',
  'comment',
  'read-200k-likes',
  'read-no-likes',
  'analytics-1m',
  'analytics-10m',
] as const;

/**
 * The bench's cases, in the order they run: the HTTP baselines, Plaza's endpoints, the
 * WebSocket cases, each Plaza one after the bare-ws baseline it is compared with, then the
 * bot's like planner (no server: CPU only, against a floor measured beside it).
 */
export const HTTP_CASE_NAMES = [
  'bare-koa',
  'koa-jwt',
  'like',
  'create',
  'read',
  'login',
  ...SOCIAL_CASE_NAMES,
] as const;
export const WS_CASE_NAMES = [
  'ws-bare-memory',
  'ws-memory',
  'ws-bare-latency',
  'ws-latency',
  'ws-bare-notices',
  'ws-notices',
] as const;
export const PLANNER_CASE_NAMES = ['planner'] as const;
export const CASE_NAMES = [...HTTP_CASE_NAMES, ...WS_CASE_NAMES, ...PLANNER_CASE_NAMES] as const;

export type HttpCaseName = (typeof HTTP_CASE_NAMES)[number];
export type SocialCaseName = (typeof SOCIAL_CASE_NAMES)[number];
export type WsCaseName = (typeof WS_CASE_NAMES)[number];
export type PlannerCaseName = (typeof PLANNER_CASE_NAMES)[number];
export type CaseName = (typeof CASE_NAMES)[number];

export interface HttpCaseInfo {
  readonly kind: 'http';
  readonly name: HttpCaseName;
  readonly request: string;
  readonly description: string;
  /** Least acceptable ratio to the Koa + koa-body + JWT baseline, for the endpoints that have one. */
  readonly target?: number;
  readonly unit: 'req/s' | 'logins/s';
  /** Another case this one is compared with in the same run (its rate ÷ that case's rate). */
  readonly peer?: HttpCaseName;
}

/** What a WebSocket case measures: memory per idle socket, notice latency, or notices/s. */
export type WsMeasure = 'memory' | 'latency' | 'notices';

export interface WsCaseInfo {
  readonly kind: 'ws';
  readonly name: WsCaseName;
  readonly server: 'plaza' | 'bare';
  readonly measures: WsMeasure;
  readonly request: string;
  readonly description: string;
  /** The bare-ws case this one is compared with (Plaza's cases). */
  readonly baseline?: WsCaseName;
  /** The target, an upper bound: KiB per socket (RSS), or p99 ms. */
  readonly maximum?: number;
}

export interface PlannerCaseInfo {
  readonly kind: 'planner';
  readonly name: PlannerCaseName;
  readonly description: string;
}

export type CaseInfo = HttpCaseInfo | WsCaseInfo | PlannerCaseInfo;

/** How many sockets and notices the WebSocket cases use. */
export const WS_LOAD = {
  /** Idle authenticated sockets whose memory is measured. */
  memorySockets: 5000,
  /** Sockets opened and closed before measuring, so that lazy set-up is not counted. */
  memoryWarmupSockets: 100,
  /** Latency: idle sockets connected meanwhile, and watched users (one notice each). */
  latencyIdleSockets: 1000,
  latencyWatchedUsers: 500,
  latencyPerSecond: 200,
  /** Throughput: users (one socket each) whose notices are released together. */
  noticeUsers: 2000,
} as const;

/**
 * What the planner case plans: bot runs as `[numbers]` would set them. Posts per user are
 * drawn from 0 to `maxPostsPerUser` as the bot does, or are all `maxPostsPerUser` (the most
 * posts and likes a run of that size can have).
 */
export interface PlannerSize {
  readonly users: number;
  readonly maxPostsPerUser: number;
  readonly maxLikesPerUser: number;
  readonly postsPerUser: 'random' | 'all-max';
}

export const PLANNER_SIZES: readonly PlannerSize[] = [
  { users: 10_000, maxPostsPerUser: 20, maxLikesPerUser: 20, postsPerUser: 'random' },
  { users: 10_000, maxPostsPerUser: 20, maxLikesPerUser: 20, postsPerUser: 'all-max' },
  { users: 1000, maxPostsPerUser: 10, maxLikesPerUser: 10, postsPerUser: 'random' },
];

/** Timed rounds per size, after a warm-up run; the median is reported. */
export const PLANNER_ROUNDS = 7;

const n = (value: number): string => value.toLocaleString('en-US');

export const HTTP_CASES: Readonly<Record<HttpCaseName, HttpCaseInfo>> = {
  'bare-koa': {
    kind: 'http',
    name: 'bare-koa',
    request: 'POST /post/like (same requests)',
    description: 'bare Koa answering {"code":"OK"}',
    unit: 'req/s',
  },
  'koa-jwt': {
    kind: 'http',
    name: 'koa-jwt',
    request: 'POST /post/like (same requests)',
    description: 'Koa + koa-body form parsing + jsonwebtoken HS256 verify',
    unit: 'req/s',
  },
  like: {
    kind: 'http',
    name: 'like',
    request: 'POST /post/like',
    description: 'like a post (new rows: 2,000 posts x 50 users cycled)',
    target: 0.4,
    unit: 'req/s',
  },
  create: {
    kind: 'http',
    name: 'create',
    request: 'POST /post/data',
    description: 'create a post',
    target: 0.35,
    unit: 'req/s',
  },
  read: {
    kind: 'http',
    name: 'read',
    request: 'GET /post/read',
    description: 'read a post with its like count (2,000 posts cycled)',
    target: 0.5,
    unit: 'req/s',
  },
  login: {
    kind: 'http',
    name: 'login',
    request: 'POST /api-token-auth/',
    description: 'log in: scrypt at the default OWASP cost (N=2^17, r=8, p=1)',
    unit: 'logins/s',
  },
  feed: {
    kind: 'http',
    name: 'feed',
    request: 'GET /feed',
    description: 'the first page of the feed of a user following 50 people (realistic database)',
    target: 0.3,
    unit: 'req/s',
  },
  'feed-deep': {
    kind: 'http',
    name: 'feed-deep',
    request: 'GET /feed?before=…',
    description: 'page 10 of the same feeds (realistic database)',
    target: 0.3,
    unit: 'req/s',
  },
  comment: {
    kind: 'http',
    name: 'comment',
    request: 'POST /post/comment',
    description: 'comment on posts spread over the 200,000 (realistic database)',
    unit: 'req/s',
  },
  'read-200k-likes': {
    kind: 'http',
    name: 'read-200k-likes',
    request: 'GET /post/read (200,000 likes)',
    description: 'read a post with 200,000 likes (realistic database)',
    unit: 'req/s',
    peer: 'read-no-likes',
  },
  'read-no-likes': {
    kind: 'http',
    name: 'read-no-likes',
    request: 'GET /post/read (no likes)',
    description: 'read a post nobody liked, by the same author (realistic database)',
    unit: 'req/s',
  },
  'analytics-1m': {
    kind: 'http',
    name: 'analytics-1m',
    request: 'GET /api/analitics/ (1M likes)',
    description: 'likes per day over one year, all posts, with 1,000,000 likes in the database',
    unit: 'req/s',
  },
  'analytics-10m': {
    kind: 'http',
    name: 'analytics-10m',
    request: 'GET /api/analitics/ (10M likes)',
    description: 'likes per day over one year, all posts, with 10,000,000 likes in the database',
    unit: 'req/s',
    peer: 'analytics-1m',
  },
};

export const isSocialCase = (name: CaseName): name is SocialCaseName =>
  (SOCIAL_CASE_NAMES as readonly string[]).includes(name);

export const WS_CASES: Readonly<Record<WsCaseName, WsCaseInfo>> = {
  'ws-bare-memory': {
    kind: 'ws',
    name: 'ws-bare-memory',
    server: 'bare',
    measures: 'memory',
    request: `${n(WS_LOAD.memorySockets)} idle sockets`,
    description: `bare ws server holding ${n(WS_LOAD.memorySockets)} sockets that said hello`,
  },
  'ws-memory': {
    kind: 'ws',
    name: 'ws-memory',
    server: 'plaza',
    measures: 'memory',
    request: `${n(WS_LOAD.memorySockets)} idle sockets`,
    description: `Plaza holding ${n(WS_LOAD.memorySockets)} authenticated /user-watch sockets`,
    baseline: 'ws-bare-memory',
    maximum: 20,
  },
  'ws-bare-latency': {
    kind: 'ws',
    name: 'ws-bare-latency',
    server: 'bare',
    measures: 'latency',
    request: 'send → arrival',
    description:
      `bare ws server sending ${n(WS_LOAD.latencyWatchedUsers)} notices at ` +
      `${WS_LOAD.latencyPerSecond}/s, ${n(WS_LOAD.latencyIdleSockets)} idle sockets connected`,
  },
  'ws-latency': {
    kind: 'ws',
    name: 'ws-latency',
    server: 'plaza',
    measures: 'latency',
    request: 'enrichment.completed → arrival',
    description:
      `Plaza enriching ${n(WS_LOAD.latencyWatchedUsers)} users at ${WS_LOAD.latencyPerSecond}/s, ` +
      `${n(WS_LOAD.latencyIdleSockets)} idle sockets connected`,
    baseline: 'ws-bare-latency',
    maximum: 50,
  },
  'ws-bare-notices': {
    kind: 'ws',
    name: 'ws-bare-notices',
    server: 'bare',
    measures: 'notices',
    request: `${n(WS_LOAD.noticeUsers)} frames at once`,
    description: `bare ws server sending ${n(WS_LOAD.noticeUsers)} frames to as many sockets at once`,
  },
  'ws-notices': {
    kind: 'ws',
    name: 'ws-notices',
    server: 'plaza',
    measures: 'notices',
    request: `${n(WS_LOAD.noticeUsers)} jobs done at once`,
    description: `Plaza completing ${n(WS_LOAD.noticeUsers)} users' enrichment jobs at once`,
    baseline: 'ws-bare-notices',
  },
};

export const PLANNER_CASES: Readonly<Record<PlannerCaseName, PlannerCaseInfo>> = {
  planner: {
    kind: 'planner',
    name: 'planner',
    description:
      `the bot's like planner on ${PLANNER_SIZES.length} run sizes, ` +
      `against a floor pass over the same posts`,
  },
};

export const CASES: Readonly<Record<CaseName, CaseInfo>> = {
  ...HTTP_CASES,
  ...WS_CASES,
  ...PLANNER_CASES,
};

export const isCaseName = (value: string): value is CaseName =>
  (CASE_NAMES as readonly string[]).includes(value);

export const isWsCase = (name: CaseName): name is WsCaseName =>
  (WS_CASE_NAMES as readonly string[]).includes(name);
