/**
 * `npm run bench`: hosts the HTTP baselines and Plaza in this process and loads each from a
 * child process with autocannon; hosts the WebSocket servers in a child process and runs
 * their clients here (127.0.0.1 only); prints the figures and writes bench/results.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BenchFailure, RUNNERS, type Context } from './caseRunners.js';
import { CASES } from './cases.js';
import { seedFixtures } from './fixtures.js';
import { machineBusyMicros } from './machineCpu.js';
import { BenchUsageError, parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { startPlazaTarget, type PlazaTarget } from './plazaTarget.js';
import {
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

function memoize<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

async function bench(options: BenchOptions): Promise<CaseResult[]> {
  const dir = await mkdtemp(join(os.tmpdir(), 'plaza-bench-'));
  const jwtSecret = randomBytes(48).toString('base64url');
  let mainTarget: PlazaTarget | undefined;
  const seeded = memoize(async () => {
    // scrypt at logN 10 keeps seeding 50 users quick; no phase using this instance hashes.
    mainTarget = await startPlazaTarget({
      databaseFile: join(dir, 'plaza.sqlite'),
      jwtSecret,
      scrypt: { logN: 10 },
    });
    console.log(`seeding ${SEED.users} users and ${SEED.posts} posts…`);
    return { target: mainTarget, fixtures: await seedFixtures(mainTarget.plaza, SEED) };
  });
  const context: Context = { options, jwtSecret, dir, seeded };
  const results: CaseResult[] = [];
  try {
    for (const name of options.cases) {
      console.log(`running ${name}: ${CASES[name].description}…`);
      const result = await RUNNERS[name](context);
      console.log(`  ${describeOutcome(result)}`);
      results.push(result);
    }
    return results;
  } finally {
    await mainTarget?.close();
    await rm(dir, { recursive: true, force: true });
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
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
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
  const busy = await otherProcessesPercent();
  if (busy !== undefined && busy >= BUSY_PERCENT) {
    console.warn(
      `warning: other processes are using ${busy.toFixed(0)}% of a core: ` +
        'the figures will be low (see "other procs CPU"); rerun on a quiet machine',
    );
  }
  try {
    const results = await bench(options);
    console.log(`\n${formatTables(results)}\n`);
    const disturbed = results.filter(
      (result) => (otherProcessesPercentOf(result) ?? 0) >= BUSY_PERCENT,
    );
    if (disturbed.length > 0) {
      console.warn(
        `warning: other processes used ${BUSY_PERCENT}% of a core or more during ` +
          `${disturbed.map((result) => result.info.name).join(', ')}: those figures are low ` +
          'and their ratios unreliable',
      );
    }
    await writeResults(
      RESULTS_FILE,
      resultsDocument(options, results, { date, loadAverageAtStart }),
    );
    console.log(`wrote ${RESULTS_FILE.pathname}`);
    return 0;
  } catch (error) {
    if (!(error instanceof BenchFailure)) throw error;
    console.error(`\nBENCH FAILED\n${error.message}`);
    return 1;
  }
}

process.exitCode = await main();
