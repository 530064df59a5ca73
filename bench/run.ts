/**
 * `npm run bench`: hosts the HTTP baselines and Plaza in this process (or Plaza as
 * `plaza-server` processes, `--instances 2`) and loads each from a child process with
 * autocannon; hosts the WebSocket servers in a child process and runs their clients here;
 * on SQLite, or on a private PostgreSQL cluster (`--db`); 127.0.0.1 only. Prints the figures
 * and writes bench/results.json.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BenchDatabases } from './support/BenchDatabases.js';
import { BenchFailure, databaseName, RUNNERS, type Context } from './caseRunners.js';
import { CASES, HTTP_CASE_NAMES, isSocialCase, SOCIAL_CASE_NAMES, type CaseName } from './cases.js';
import { socialStage } from './social/socialStage.js';
import { analyticsStage } from './analytics/analyticsStage.js';
import { deployPlaza, type DeployedPlaza } from './http/deployPlaza.js';
import {
  deploymentLabel,
  DEFAULT_DEPLOYMENT,
  isDefaultDeployment,
  sameDeployment,
  type Deployment,
} from './support/deployments.js';
import { onExit } from './support/exitCleanup.js';
import { seedFixtures, type Fixtures } from './http/fixtures.js';
import { machineBusyMicros } from './cpu/machineCpu.js';
import { BenchUsageError, parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import {
  caseLabel,
  describeOutcome,
  formatTables,
  otherProcessesPercentOf,
  resultsDocument,
  writeResults,
  type CaseResult,
} from './report.js';

const RESULTS_FILE = new URL('../results.json', import.meta.url);
const SEED = { users: 50, posts: 2000 } as const;
/** Other processes using more than this share of a core make the figures low: say so. */
const BUSY_PERCENT = 25;
const BASELINE_CASES: readonly CaseName[] = ['bare-koa', 'koa-jwt'];

/** One case to run, and where Plaza runs for it (the baselines borrow its fixtures). */
interface Run {
  readonly name: CaseName;
  readonly deployment: Deployment;
}

/**
 * The runs in order: the baselines; then Plaza's HTTP cases on each deployment in turn,
 * each deployment on fresh databases; then the WebSocket cases, each Plaza one on each
 * database after its bare baseline; then the planner.
 */
function planRuns(options: BenchOptions): Run[] {
  const [first = DEFAULT_DEPLOYMENT] = options.deployments;
  const [firstDatabase = 'sqlite'] = options.databases;
  const wanted = (names: readonly CaseName[]): CaseName[] =>
    options.cases.filter((name) => names.includes(name));
  const plazaHttp = HTTP_CASE_NAMES.filter(
    (name) => !BASELINE_CASES.includes(name) && !isSocialCase(name),
  );
  return [
    ...wanted(BASELINE_CASES).map((name) => ({ name, deployment: first })),
    ...options.deployments.flatMap((deployment) =>
      wanted(plazaHttp).map((name) => ({ name, deployment })),
    ),
    // The realistic database is a SQLite file: these run there, once, whatever --db says.
    ...wanted(SOCIAL_CASE_NAMES).map((name) => ({ name, deployment: DEFAULT_DEPLOYMENT })),
    ...options.cases.flatMap((name): Run[] => {
      const info = CASES[name];
      if (info.kind === 'http') return [];
      if (info.kind === 'planner' || info.server === 'bare') {
        return [{ name, deployment: { database: firstDatabase, instances: 1 } }];
      }
      return options.databases.map((database) => ({
        name,
        deployment: { database, instances: 1 },
      }));
    }),
  ];
}

/** Plaza on one deployment for like, create and read: deployed and seeded on first use. */
interface Stage {
  readonly deployment: Deployment;
  readonly seeded: () => Promise<{ target: DeployedPlaza; fixtures: Fixtures }>;
  close(): Promise<void>;
}

function stage(
  deployment: Deployment,
  setting: { jwtSecret: string; dir: string; databases: BenchDatabases },
): Stage {
  let target: DeployedPlaza | undefined;
  let made: Promise<{ target: DeployedPlaza; fixtures: Fixtures }> | undefined;
  const where = isDefaultDeployment(deployment) ? '' : ` on ${deploymentLabel(deployment)}`;
  return {
    deployment,
    seeded: () =>
      (made ??= (async () => {
        // scrypt at logN 10 keeps seeding 50 users quick; no case using this instance hashes.
        target = await deployPlaza({
          deployment,
          ...setting,
          name: databaseName('plaza', deployment),
          scrypt: { logN: 10 },
        });
        const started = performance.now();
        console.log(`seeding ${SEED.users} users and ${SEED.posts} posts${where}…`);
        const fixtures = await seedFixtures(target.plaza, SEED);
        console.log(`  seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        return { target, fixtures };
      })()),
    async close() {
      await made?.catch(() => undefined);
      await target?.close();
    },
  };
}

async function bench(options: BenchOptions, databases: BenchDatabases, dir: string) {
  const jwtSecret = randomBytes(48).toString('base64url');
  const setting = { jwtSecret, dir, databases };
  const results: CaseResult[] = [];
  let current: Stage | undefined;
  const social = socialStage(setting);
  const analytics = analyticsStage(setting);
  try {
    for (const run of planRuns(options)) {
      if (current === undefined || !sameDeployment(current.deployment, run.deployment)) {
        await current?.close();
        current = stage(run.deployment, setting);
      }
      const context: Context = {
        options,
        ...setting,
        deployment: run.deployment,
        seeded: current.seeded,
        social: social.fixtures,
        analytics: analytics.fixtures,
      };
      const info = CASES[run.name];
      const plazaCase =
        info.kind === 'http'
          ? !BASELINE_CASES.includes(run.name)
          : info.kind === 'ws' && info.server === 'plaza';
      const where =
        plazaCase && !isDefaultDeployment(run.deployment)
          ? ` on ${deploymentLabel(run.deployment)}`
          : '';
      console.log(`running ${run.name}${where}: ${info.description}…`);
      const result = await RUNNERS[run.name](context);
      console.log(`  ${describeOutcome(result)}`);
      results.push(result);
    }
    return results;
  } finally {
    await current?.close();
    await social.close();
    await analytics.close();
  }
}

/** CPU used by every process but this one over one second, in % of a core (Linux only). */
async function otherProcessesPercent(): Promise<number | undefined> {
  const before = await machineBusyMicros();
  const own = process.cpuUsage();
  await delay(1000);
  const after = await machineBusyMicros();
  const used = process.cpuUsage(own);
  if (before === undefined || after === undefined) return undefined;
  return Math.max(0, (after - before - used.user - used.system) / 10_000);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let options: BenchOptions;
  try {
    options = parseBenchOptions(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  const date = new Date();
  const loadAverageAtStart = os.loadavg();
  console.log(
    `Plaza bench: ${options.connections} connections, ${options.durationSeconds} s per case ` +
      `(+${options.warmupSeconds} s warm-up), node ${process.version}, ${os.cpus().length} CPUs`,
  );
  if (options.deployments.some((deployment) => !isDefaultDeployment(deployment))) {
    console.log(
      `Plaza's HTTP cases on: ${options.deployments.map(deploymentLabel).join(', ')}; ` +
        'x2 = two plaza-server processes on one database, connections spread over both. ' +
        'The load generator shares the same cores.',
    );
  }
  const busy = await otherProcessesPercent();
  if (busy !== undefined && busy >= BUSY_PERCENT) {
    console.warn(
      `warning: other processes are using ${busy.toFixed(0)}% of a core: ` +
        'the figures will be low (see "other procs CPU"); rerun on a quiet machine',
    );
  }
  const dir = await mkdtemp(join(os.tmpdir(), 'plaza-bench-'));
  const forgetDir = onExit(() => rmSync(dir, { recursive: true, force: true }));
  const databases = new BenchDatabases(dir);
  try {
    const results = await bench(options, databases, dir);
    console.log(`\n${formatTables(results)}\n`);
    const postgres = databases.postgres;
    if (postgres !== undefined) {
      console.log(
        `PostgreSQL ${postgres.version} (a private cluster on ${postgres.host}, durable): ` +
          Object.entries(postgres.settings)
            .map(([name, value]) => `${name}=${value}`)
            .join(', '),
      );
    }
    const disturbed = results.filter(
      (result) => (otherProcessesPercentOf(result) ?? 0) >= BUSY_PERCENT,
    );
    if (disturbed.length > 0) {
      console.warn(
        `warning: other processes used ${BUSY_PERCENT}% of a core or more during ` +
          `${disturbed.map(caseLabel).join(', ')}: those figures are low ` +
          'and their ratios unreliable',
      );
    }
    await writeResults(
      RESULTS_FILE,
      resultsDocument(options, results, { date, loadAverageAtStart, postgres }),
    );
    console.log(`wrote ${RESULTS_FILE.pathname}`);
    return 0;
  } catch (error) {
    if (!(error instanceof BenchFailure)) throw error;
    console.error(`\nBENCH FAILED\n${error.message}`);
    return 1;
  } finally {
    databases.stop();
    await rm(dir, { recursive: true, force: true });
    forgetDir();
  }
}

process.exitCode = await main();
