/**
 * How each case is run: which server, which requests, and what is checked afterwards.
 * The WebSocket cases are in ws/wsCaseRunners.ts, the planner case in planner/plannerCase.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { startBareKoa, startKoaJwtBaseline } from './http/baselines.js';
import type { BenchDatabases } from './support/BenchDatabases.js';
import { BenchFailure } from './support/BenchFailure.js';
import { HTTP_CASES, type CaseName, type HttpCaseName, type SocialCaseName } from './cases.js';
import { SOCIAL_SIZE } from './social/socialDatabase.js';
import { deployPlaza, type DeployedPlaza } from './http/deployPlaza.js';
import {
  deploymentLabel,
  deploymentSlug,
  isDefaultDeployment,
  type Deployment,
} from './support/deployments.js';
import { countLikes, signUpUsers, type Fixtures } from './http/fixtures.js';
import type { BenchTarget } from './support/listen.js';
import { isClean, type LoadFigures, type LoadPlan } from './http/loadPlan.js';
import type { BenchOptions } from './options.js';
import { runPlannerCase } from './planner/plannerCase.js';
import type { CaseResult, HttpCaseResult } from './report.js';
import { runLoad, type CpuSources, type LoadOutcome } from './http/runLoad.js';
import { WS_RUNNERS } from './ws/wsCaseRunners.js';
import type { SocialFixtures } from './social/socialStage.js';
import type { AnalyticsFixtures } from './analytics/analyticsStage.js';

const PROFILES_DIR = new URL('../profiles/', import.meta.url);
const CREATE_BODY_VARIANTS = 1000;
/** Posts the comment case comments on, spread over the realistic database's 200,000. */
const COMMENTED_POSTS = 1000;
const DEFAULT_TIMEOUT_SECONDS = 10;
/**
 * 50 connections queue on 4 scrypt hashes in flight (libuv's pool) at about a second each
 * here: the last in the queue waits well over autocannon's default 10 s, which would count
 * as a timeout rather than a login.
 */
const LOGIN_TIMEOUT_SECONDS = 60;
/** A login takes a second or more under load: a shorter run may see none complete. */
const MIN_LOGIN_SECONDS = 10;
const DRAIN_TIMEOUT_MS = 60_000;

export { BenchFailure };

export interface Context {
  readonly options: BenchOptions;
  readonly jwtSecret: string;
  /** A temporary folder, removed by the bench. */
  readonly dir: string;
  readonly databases: BenchDatabases;
  /** Where this run's Plaza case goes (the baselines borrow its fixtures). */
  readonly deployment: Deployment;
  /** Plaza on `deployment` (cheap scrypt) for like, create and read, deployed and seeded once. */
  readonly seeded: () => Promise<{ target: DeployedPlaza; fixtures: Fixtures }>;
  /** Plaza on the realistic database (SQLite, in this process), made once for the social cases. */
  readonly social: () => Promise<SocialFixtures>;
  /** Plaza on a database of `likes` likes (SQLite, in this process), for the analytics cases. */
  readonly analytics: (likes: number) => Promise<AnalyticsFixtures>;
}

/**
 * The name of a fresh database for `base` on a deployment: `base` on the default one (the
 * bench's files keep their names), `base_postgres_x2` and the like otherwise.
 */
export const databaseName = (base: string, deployment: Deployment): string =>
  isDefaultDeployment(deployment) ? base : `${base}_${deploymentSlug(deployment)}`;

type CaseRunner = (context: Context) => Promise<CaseResult>;
type HttpCaseRunner = (context: Context) => Promise<HttpCaseResult>;

type PlanShape = Omit<LoadPlan, 'name' | 'connections' | keyof PlanTiming> & Partial<PlanTiming>;
type PlanTiming = Pick<LoadPlan, 'durationSeconds' | 'warmupSeconds' | 'timeoutSeconds'>;

function plan(context: Context, name: HttpCaseName, shape: PlanShape): LoadPlan {
  return {
    name,
    connections: context.options.connections,
    durationSeconds: context.options.durationSeconds,
    warmupSeconds: context.options.warmupSeconds,
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    ...shape,
  };
}

/** The like requests; the baselines get exactly these, so their ratios compare like with like. */
function likeShape(origins: readonly string[], fixtures: Fixtures) {
  return {
    origins,
    method: 'POST',
    paths: ['/post/like'],
    bodies: fixtures.postIds.map((postId) => `post_id=${postId}`),
    authorizations: fixtures.tokens.map((token) => `JWT ${token}`),
  } as const;
}

function describeFailure(name: string, phase: string, figures: LoadFigures): string {
  return [
    `${name} (${phase}): not every request was answered with a 2xx; these figures are worthless.`,
    `  2xx: ${figures.ok2xx}, non-2xx: ${figures.non2xx}, connection errors: ${figures.errors}, timeouts: ${figures.timeouts}`,
    `  status counts: ${JSON.stringify(figures.statusCounts)}`,
    ...figures.failureSamples.map((sample) => `  e.g. ${sample}`),
  ].join('\n');
}

function assertClean(name: string, outcome: LoadOutcome): void {
  if (outcome.warmup && !isClean(outcome.warmup)) {
    throw new BenchFailure(describeFailure(name, 'warm-up', outcome.warmup));
  }
  if (!isClean(outcome.measured)) {
    throw new BenchFailure(describeFailure(name, 'measured run', outcome.measured));
  }
}

async function writeProfile(name: string, profile: object): Promise<string> {
  await mkdir(PROFILES_DIR, { recursive: true });
  const file = new URL(`${name}.cpuprofile`, PROFILES_DIR);
  await writeFile(file, JSON.stringify(profile));
  return `CPU profile in ${file.pathname}`;
}

/** What `load` needs of a server: a baseline (`BenchTarget`) or a `DeployedPlaza`. */
interface LoadedServer {
  readonly drain: (timeoutMs: number) => Promise<number>;
  readonly cpu?: CpuSources;
  readonly inProcess?: boolean;
}

/**
 * Loads `target`, waits for the requests left in flight to finish (so that cases do not
 * overlap), and refuses the figures unless every answer was a 2xx. `deployment` is null
 * for the baselines.
 */
async function load(
  context: Context,
  target: LoadedServer,
  deployment: Deployment | null,
  loadPlan: LoadPlan,
  notes: () => Promise<string[]> = () => Promise.resolve([]),
): Promise<HttpCaseResult> {
  const name =
    deployment === null
      ? loadPlan.name
      : databaseName(loadPlan.name, deployment).replace(/_/g, '-');
  const label =
    deployment === null ? loadPlan.name : `${loadPlan.name} on ${deploymentLabel(deployment)}`;
  const profile = context.options.profile && target.inProcess !== false;
  const outcome = await runLoad(loadPlan, {
    profile,
    ...(target.cpu === undefined ? {} : { cpu: target.cpu }),
  });
  const stillInFlight = await target.drain(DRAIN_TIMEOUT_MS);
  if (stillInFlight > 0) {
    console.warn(
      `  ${stillInFlight} requests still in flight ${DRAIN_TIMEOUT_MS / 1000} s after the run; ` +
        'closing may abort them (the figures above are not affected)',
    );
  }
  assertClean(label, outcome);
  const written = outcome.profile ? [await writeProfile(name, outcome.profile)] : [];
  const unprofiled =
    context.options.profile && !profile ? ['no profile: the servers are other processes'] : [];
  return {
    kind: 'http',
    info: HTTP_CASES[loadPlan.name as HttpCaseName],
    deployment,
    outcome,
    notes: [...(await notes()), ...written, ...unprofiled],
  };
}

async function againstBaseline(
  context: Context,
  name: 'bare-koa' | 'koa-jwt',
  start: () => Promise<BenchTarget>,
): Promise<HttpCaseResult> {
  const { fixtures } = await context.seeded();
  const target = await start();
  try {
    return await load(
      context,
      target,
      null,
      plan(context, name, likeShape([target.origin], fixtures)),
    );
  } finally {
    await target.close();
  }
}

const HTTP_RUNNERS: Readonly<Record<Exclude<HttpCaseName, SocialCaseName>, HttpCaseRunner>> = {
  'bare-koa': (context) => againstBaseline(context, 'bare-koa', startBareKoa),
  'koa-jwt': (context) =>
    againstBaseline(context, 'koa-jwt', () => startKoaJwtBaseline(context.jwtSecret)),

  async like(context) {
    const { target, fixtures } = await context.seeded();
    return load(
      context,
      target,
      target.deployment,
      plan(context, 'like', likeShape(target.origins, fixtures)),
      async () => {
        const stored = await countLikes(target.plaza, fixtures.postIds);
        return [`${stored} likes stored in the database (warm-up included)`];
      },
    );
  },

  async create(context) {
    const { target, fixtures } = await context.seeded();
    const bodies = Array.from({ length: CREATE_BODY_VARIANTS }, (_, i) =>
      new URLSearchParams({
        title: `Bench post ${i}`,
        text: `Posted by the bench, variant ${i}: a couple of sentences of ordinary text.`,
      }).toString(),
    );
    return load(
      context,
      target,
      target.deployment,
      plan(context, 'create', {
        origins: target.origins,
        method: 'POST',
        paths: ['/post/data'],
        bodies,
        authorizations: fixtures.tokens.map((token) => `JWT ${token}`),
      }),
    );
  },

  async read(context) {
    const { target, fixtures } = await context.seeded();
    return load(
      context,
      target,
      target.deployment,
      plan(context, 'read', {
        origins: target.origins,
        method: 'GET',
        paths: fixtures.postIds.map((postId) => `/post/read?post_id=${postId}`),
        bodies: [],
        authorizations: [],
      }),
    );
  },

  async login(context) {
    // A fresh database whose users were hashed at the default cost, as in production:
    // a cheaper hash would also be re-hashed on every login.
    const target = await deployPlaza({
      deployment: context.deployment,
      databases: context.databases,
      name: databaseName('login', context.deployment),
      jwtSecret: context.jwtSecret,
      dir: context.dir,
      unthrottledLogins: true,
    });
    try {
      const { credentials } = await signUpUsers(target.plaza, 'login', 1);
      return await load(
        context,
        target,
        target.deployment,
        plan(context, 'login', {
          origins: target.origins,
          method: 'POST',
          paths: ['/api-token-auth/'],
          bodies: credentials.map((c) => new URLSearchParams({ ...c }).toString()),
          authorizations: [],
          // In-flight hashes left by a warm-up would still be running in the measured run.
          warmupSeconds: 0,
          durationSeconds: Math.max(context.options.durationSeconds, MIN_LOGIN_SECONDS),
          timeoutSeconds: LOGIN_TIMEOUT_SECONDS,
        }),
      );
    } finally {
      await target.close();
    }
  },
};

/** GET of `paths` on the realistic database, anonymous unless `authorizations` are given. */
async function socialRead(
  context: Context,
  name: HttpCaseName,
  paths: (social: SocialFixtures) => Promise<readonly string[]> | readonly string[],
  signedIn: 'anonymous' | 'signed-in' | 'paired',
): Promise<HttpCaseResult> {
  const social = await context.social();
  const { target } = social;
  return load(
    context,
    target,
    target.deployment,
    plan(context, name, {
      origins: target.origins,
      method: 'GET',
      paths: await paths(social),
      bodies: [],
      authorizations: signedIn === 'anonymous' ? [] : social.authorizations,
      ...(signedIn === 'paired' ? { pairAuthorizations: true } : {}),
    }),
  );
}

const SOCIAL_RUNNERS: Readonly<Record<SocialCaseName, HttpCaseRunner>> = {
  feed: (context) => socialRead(context, 'feed', () => ['/feed'], 'signed-in'),
  'feed-deep': (context) =>
    socialRead(
      context,
      'feed-deep',
      async (social) => (await social.deepFeedCursors()).map((before) => `/feed?before=${before}`),
      'paired',
    ),
  async comment(context) {
    const social = await context.social();
    const { target } = social;
    const posts = SOCIAL_SIZE.posts;
    const bodies = Array.from({ length: COMMENTED_POSTS }, (_, i) =>
      new URLSearchParams({
        post_id: String(((i * 7919) % posts) + 1),
        text: `A comment from the bench, number ${i}: a sentence or two of ordinary text.`,
      }).toString(),
    );
    return load(
      context,
      target,
      target.deployment,
      plan(context, 'comment', {
        origins: target.origins,
        method: 'POST',
        paths: ['/post/comment'],
        bodies,
        authorizations: social.authorizations,
      }),
    );
  },
  'read-200k-likes': (context) =>
    socialRead(
      context,
      'read-200k-likes',
      (social) => [`/post/read?post_id=${social.seed.heavyPostId}`],
      'anonymous',
    ),
  'read-no-likes': (context) =>
    socialRead(
      context,
      'read-no-likes',
      (social) => [`/post/read?post_id=${social.seed.unlikedPostId}`],
      'anonymous',
    ),
  'analytics-1m': (context) => analyticsYear(context, 'analytics-1m', 1_000_000),
  'analytics-10m': (context) => analyticsYear(context, 'analytics-10m', 10_000_000),
};

/** One year of likes per day, all posts, signed in, on the database of `likes` likes. */
async function analyticsYear(
  context: Context,
  name: 'analytics-1m' | 'analytics-10m',
  likes: number,
): Promise<HttpCaseResult> {
  const { target, yearPath, authorization } = await context.analytics(likes);
  return load(
    context,
    target,
    target.deployment,
    plan(context, name, {
      origins: target.origins,
      method: 'GET',
      paths: [yearPath],
      bodies: [],
      authorizations: [authorization],
    }),
  );
}

export const RUNNERS: Readonly<Record<CaseName, CaseRunner>> = {
  ...HTTP_RUNNERS,
  ...SOCIAL_RUNNERS,
  ...WS_RUNNERS,
  planner: runPlannerCase,
};
