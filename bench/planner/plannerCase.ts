/**
 * The planner case: the bot's like planner (examples/bot) on inputs the size of real bot
 * runs, timed in this process against a floor pass over the same posts in the same rounds.
 * No server is involved.
 */
import {
  checkLikeRules,
  planLikes,
  seededRandom,
  type AuthorPosts,
  type LikePlan,
  type PlannedLike,
  type Random,
} from '@plaza/example-bot';
import { BenchFailure } from '../support/BenchFailure.js';
import {
  PLANNER_CASES,
  PLANNER_ROUNDS,
  PLANNER_SIZES,
  type PlannerCaseInfo,
  type PlannerSize,
} from '../cases.js';
import { machineBusyMicros } from '../cpu/machineCpu.js';

const SEED = 20_260_101;
const SHOWN_VIOLATIONS = 3;
/** Runs shorter than this are repeated within one timing, which a timer's grain would blur. */
const MIN_SAMPLE_MS = 20;

/** One size, planned `PLANNER_ROUNDS` times; times are medians. */
export interface PlannerMeasurement {
  readonly size: PlannerSize;
  readonly posts: number;
  readonly likes: number;
  readonly stoppedBecause: LikePlan['stoppedBecause'];
  readonly planMs: number;
  /** The floor pass (see `floorPass`) over the same posts, for as many likes. */
  readonly floorMs: number;
  /** planMs ÷ floorMs: how many floors the planner costs. */
  readonly ratioToFloor: number;
  /** `checkLikeRules` on the plan, once: what the bot's own check of its likes costs. */
  readonly checkMs: number;
}

export interface PlannerCaseResult {
  readonly kind: 'planner';
  readonly info: PlannerCaseInfo;
  readonly measurements: readonly PlannerMeasurement[];
  readonly cpu: {
    /** Other processes, in % of a core (Linux only): they slow both the planner and the floor. */
    readonly otherProcessesPercent: number | null;
    readonly seconds: number;
  };
  readonly notes: readonly string[];
}

/** Users 1, 2, … with their posts, numbered from 1, as a bot run of this size would have them. */
export function plannerInput(size: PlannerSize, random: Random): AuthorPosts[] {
  let nextPostId = 1;
  return Array.from({ length: size.users }, (_, index) => {
    const count =
      size.postsPerUser === 'random'
        ? random.between(0, size.maxPostsPerUser)
        : size.maxPostsPerUser;
    return {
      userId: index + 1,
      postIds: Array.from({ length: count }, () => nextPostId++),
    };
  });
}

/**
 * What any planner must do at least: read every post once, then draw one random number and
 * write one like per like planned. Rules aside, it is the planner's work with nothing to
 * decide.
 */
export function floorPass(
  users: readonly AuthorPosts[],
  likeCount: number,
  random: Random,
): PlannedLike[] {
  const postIds: number[] = [];
  for (const user of users) for (const postId of user.postIds) postIds.push(postId);
  const likes: PlannedLike[] = [];
  for (let like = 0; like < likeCount; like += 1) {
    const liker = users[like % users.length]!;
    likes.push({ userId: liker.userId, postId: postIds[random.below(postIds.length)]! });
  }
  return likes;
}

function timed<T>(run: () => T): { readonly result: T; readonly ms: number } {
  const started = performance.now();
  const result = run();
  return { result, ms: performance.now() - started };
}

/**
 * After one run to warm up, a timer of `run` repeated often enough to take `MIN_SAMPLE_MS`;
 * each call gives the ms of one run.
 */
function timerOf(run: () => unknown): () => number {
  const repeats = Math.max(1, Math.ceil(MIN_SAMPLE_MS / timed(run).ms));
  return () =>
    timed(() => {
      for (let repeat = 0; repeat < repeats; repeat += 1) run();
    }).ms / repeats;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A plan that breaks a rule is not a result: the bench stops. */
function assertObeysRules(
  size: PlannerSize,
  users: readonly AuthorPosts[],
  plan: LikePlan,
): number {
  const { result: violations, ms } = timed(() =>
    checkLikeRules(users, plan.likes, size.maxLikesPerUser),
  );
  if (violations.length > 0) {
    throw new BenchFailure(
      [
        `planner: the plan for ${describeSize(size)} breaks ${violations.length} like rules, e.g.`,
        ...violations.slice(0, SHOWN_VIOLATIONS).map((v) => `  ${v.rule}: ${v.detail}`),
      ].join('\n'),
    );
  }
  return ms;
}

function measure(size: PlannerSize): PlannerMeasurement {
  const users = plannerInput(size, seededRandom(SEED));
  // The same seed every round, so that every round plans the same likes.
  const plan = (): LikePlan => planLikes(users, size.maxLikesPerUser, seededRandom(SEED));
  const planned = plan();
  const floor = (): PlannedLike[] => floorPass(users, planned.likes.length, seededRandom(SEED));
  const [timePlan, timeFloor] = [timerOf(plan), timerOf(floor)];
  const planMs: number[] = [];
  const floorMs: number[] = [];
  // Side by side, so that whatever else the machine does weighs on both alike.
  for (let round = 0; round < PLANNER_ROUNDS; round += 1) {
    planMs.push(timePlan());
    floorMs.push(timeFloor());
  }
  const medianPlanMs = median(planMs);
  const medianFloorMs = median(floorMs);
  return {
    size,
    posts: users.reduce((sum, user) => sum + user.postIds.length, 0),
    likes: planned.likes.length,
    stoppedBecause: planned.stoppedBecause,
    planMs: medianPlanMs,
    floorMs: medianFloorMs,
    ratioToFloor: medianPlanMs / medianFloorMs,
    checkMs: assertObeysRules(size, users, planned),
  };
}

export function describeSize(size: PlannerSize): string {
  const posts =
    size.postsPerUser === 'random' ? `0..${size.maxPostsPerUser}` : `${size.maxPostsPerUser}`;
  return (
    `${size.users.toLocaleString('en-US')} users x ${posts} posts x ` +
    `${size.maxLikesPerUser} likes`
  );
}

/**
 * Runs every size in `PLANNER_SIZES`, and the CPU other processes took meanwhile.
 *
 * @example const result = await runPlannerCase()
 */
export async function runPlannerCase(): Promise<PlannerCaseResult> {
  const machineBefore = await machineBusyMicros();
  const own = process.cpuUsage();
  const started = performance.now();
  const measurements = PLANNER_SIZES.map(measure);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(own);
  const machineAfter = await machineBusyMicros();
  const otherMicros =
    machineBefore === undefined || machineAfter === undefined
      ? undefined
      : machineAfter - machineBefore - used.user - used.system;
  return {
    kind: 'planner',
    info: PLANNER_CASES.planner,
    measurements,
    cpu: {
      otherProcessesPercent:
        otherMicros === undefined ? null : Math.max(0, (otherMicros / (seconds * 1e6)) * 100),
      seconds,
    },
    notes: [],
  };
}
