/**
 * How each WebSocket case runs: a server child (Plaza or bare ws) with its users, client
 * sockets in this process, and what is measured between them. Every wait is bounded, and
 * the sockets and the child are closed whatever happens.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { BenchDatabases } from '../support/BenchDatabases.js';
import { BenchFailure } from '../support/BenchFailure.js';
import { WS_CASES, WS_LOAD, type WsCaseInfo, type WsCaseName } from '../cases.js';
import type { DatabaseKind } from '../support/deployments.js';
import { measureClockOffset } from './clockOffset.js';
import { summarizeLatencies, type LatencySummary } from '../support/latencySummary.js';
import { watchCpu, type PhaseCpu } from './phaseCpu.js';
import { signTokens } from './signTokens.js';
import type { WsCaseResult } from './wsFigures.js';
import { WsClients, type ClientSpec } from './WsClients.js';
import { startWsServer, type WsServerProcess } from './server/wsServerProcess.js';

/** What the WebSocket cases need from the bench's context. */
export interface WsContext {
  readonly jwtSecret: string;
  readonly databases: BenchDatabases;
  /** Plaza's database for this run (the bare server has none). */
  readonly deployment: { readonly database: DatabaseKind };
}

/** A case's result before `withServer` says which database it ran on. */
type WsOutcome = Omit<WsCaseResult, 'database'>;

const CONNECT_LIMIT_MS = 60_000;
const NOTICES_LIMIT_MS = 60_000;
const SETTLE_LIMIT_MS = 10_000;
/** After the last awaited notice: long enough for a stray duplicate to show up. */
const STRAGGLER_MS = 200;
const KiB = 1024;

async function withServer(
  context: WsContext,
  info: WsCaseInfo,
  users: number,
  use: (
    server: WsServerProcess,
    specs: (format: 'text' | 'json') => ClientSpec[],
    watch: () => Promise<() => Promise<PhaseCpu>>,
  ) => Promise<WsOutcome>,
): Promise<WsCaseResult> {
  const database = info.server === 'plaza' ? context.deployment.database : null;
  const databaseUrl =
    database === null
      ? null
      : await context.databases.fresh(
          database,
          database === 'sqlite' ? info.name : `${info.name}_${database}`,
        );
  const server = await startWsServer({
    kind: info.server,
    users,
    databaseUrl,
    jwtSecret: context.jwtSecret,
    // Every job of the throughput case in hand at once, so that all can complete together.
    concurrency: WS_LOAD.noticeUsers,
  });
  try {
    const tokens = signTokens(context.jwtSecret, server.userIds);
    const specs = (format: 'text' | 'json'): ClientSpec[] =>
      server.userIds.map((userId, index) => ({ userId, token: tokens[index]!, format }));
    const databaseCpu = database === null ? undefined : context.databases.cpuOf(database);
    const watch = () => watchCpu(server, databaseCpu);
    return { ...(await use(server, specs, watch)), database };
  } finally {
    await server.close();
  }
}

/** Polls `check` until it holds; a BenchFailure saying `what` after `limitMs`. */
async function until(what: string, limitMs: number, check: () => Promise<boolean>): Promise<void> {
  const giveUpAt = performance.now() + limitMs;
  while (!(await check())) {
    if (performance.now() > giveUpAt) throw new BenchFailure(`${what} within ${limitMs} ms`);
    await delay(20);
  }
}

async function connect(server: WsServerProcess, specs: readonly ClientSpec[]): Promise<WsClients> {
  try {
    return await WsClients.connect(server.origin, specs, { limitMs: CONNECT_LIMIT_MS });
  } catch (error) {
    throw new BenchFailure(`connecting ${specs.length} sockets failed: ${String(error)}`);
  }
}

function assertNoProblems(name: string, clients: WsClients): void {
  if (clients.problemCount === 0) return;
  throw new BenchFailure(
    [
      `${name}: ${clients.problemCount} unexpected frames or lost sockets; these figures are worthless.`,
      ...clients.problems.map((problem) => `  e.g. ${problem}`),
    ].join('\n'),
  );
}

/**
 * Memory: the server's memory after `gc()` before and after `memorySockets` sockets are open
 * and authenticated, the difference divided by the sockets. A first batch is opened and
 * closed before, so that code loaded and compiled on first use is not counted.
 */
function memoryCase(name: WsCaseName) {
  const info = WS_CASES[name];
  const sockets = WS_LOAD.memorySockets;
  return (context: WsContext): Promise<WsCaseResult> =>
    withServer(context, info, sockets, async (server, specs, watch) => {
      const all = specs('text');
      const warm = await connect(server, all.slice(0, WS_LOAD.memoryWarmupSockets));
      warm.close();
      await until('the warm-up sockets did not all close', SETTLE_LIMIT_MS, async () => {
        return (await server.ask({ type: 'connections' })).count === 0;
      });
      const before = await server.ask({ type: 'memory' });
      const stop = await watch();
      const started = performance.now();
      const clients = await connect(server, all);
      try {
        const connectSeconds = (performance.now() - started) / 1000;
        const cpu = await stop();
        const after = await server.ask({ type: 'memory' });
        const { count } = await server.ask({ type: 'connections' });
        assertNoProblems(name, clients);
        if (count !== sockets) {
          throw new BenchFailure(`${name}: the server holds ${count} connections, not ${sockets}`);
        }
        const perSocket = (bytes: number): number => bytes / sockets / KiB;
        return {
          kind: 'ws',
          info,
          figures: {
            measures: 'memory',
            sockets,
            before,
            after,
            perSocketKiB: {
              rss: perSocket(after.rss - before.rss),
              heapUsed: perSocket(after.heapUsed - before.heapUsed),
              external: perSocket(after.external - before.external),
            },
            connectSeconds,
          },
          cpu,
          notes: [
            `server heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)} MiB, RSS ${mib(before.rss)} → ${mib(after.rss)} MiB`,
          ],
        };
      } finally {
        clients.close();
      }
    });
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** Latencies of the notices from `times` (server clock) to their first arrival. */
function latenciesFrom(
  times: ReadonlyArray<readonly [number, number]>,
  clients: WsClients,
  offsetMs: number,
): LatencySummary {
  const values = times.map(([userId, at]) => {
    const arrival = clients.arrivals.get(userId)?.[0];
    if (arrival === undefined) throw new BenchFailure(`no notice arrived for user ${userId}`);
    return arrival + offsetMs - at;
  });
  return summarizeLatencies(values);
}

/**
 * Latency: `latencyIdleSockets` idle text sockets, and `latencyWatchedUsers` users with a
 * JSON socket each, whose notices are triggered `latencyPerSecond` a second (Plaza:
 * `plaza.enrichment.request`, the provider answering at once). Per notice: arrival here
 * minus the time the server's `enrichment.completed` listener ran (bare: the send), across
 * the measured clock offset between the two processes.
 */
function latencyCase(name: WsCaseName) {
  const info = WS_CASES[name];
  const idle = WS_LOAD.latencyIdleSockets;
  const watched = WS_LOAD.latencyWatchedUsers;
  return (context: WsContext): Promise<WsCaseResult> =>
    withServer(context, info, idle + watched, async (server, specs, watch) => {
      const all = [...specs('text').slice(0, idle), ...specs('json').slice(idle)];
      const watchedIds = server.userIds.slice(idle);
      const clients = await connect(server, all);
      try {
        const clock = await measureClockOffset(server);
        const stop = await watch();
        const triggerLimitMs = (watched / WS_LOAD.latencyPerSecond) * 1000 + NOTICES_LIMIT_MS;
        await server.ask(
          { type: 'trigger', userIds: watchedIds, perSecond: WS_LOAD.latencyPerSecond },
          triggerLimitMs,
        );
        await noticesArrive(clients, watched);
        const cpu = await stop();
        await delay(STRAGGLER_MS);
        assertNoProblems(name, clients);
        assertOneEach(name, clients, watched);
        const times = await server.ask({ type: 'times' });
        if (times.sent.length !== watched) {
          throw new BenchFailure(`${name}: ${times.sent.length} notices sent, not ${watched}`);
        }
        return {
          kind: 'ws',
          info,
          figures: {
            measures: 'latency',
            idleSockets: idle,
            watchedUsers: watched,
            perSecond: WS_LOAD.latencyPerSecond,
            latencyMs: latenciesFrom(times.sent, clients, clock.offsetMs),
            fromProviderAnswerMs:
              times.answered.length === 0
                ? null
                : latenciesFrom(times.answered, clients, clock.offsetMs),
            clockOffsetMs: clock.offsetMs,
            clockUncertaintyMs: clock.uncertaintyMs,
            meanNoticeBytes: clients.noticeBytes / clients.notices,
          },
          cpu,
          notes: [
            `clocks: server ${clock.offsetMs.toFixed(3)} ms ahead, ±${clock.uncertaintyMs.toFixed(3)} ms`,
          ],
        };
      } finally {
        clients.close();
      }
    });
}

async function noticesArrive(clients: WsClients, count: number): Promise<void> {
  try {
    await clients.waitForNotices(count, NOTICES_LIMIT_MS);
  } catch (error) {
    throw new BenchFailure(String(error));
  }
}

function assertOneEach(name: string, clients: WsClients, users: number): void {
  const once = [...clients.arrivals.values()].filter((times) => times.length === 1).length;
  if (once !== users || clients.notices !== users) {
    throw new BenchFailure(
      `${name}: ${clients.notices} notices for ${clients.arrivals.size} users; expected exactly one for each of ${users}`,
    );
  }
}

/**
 * Throughput: `noticeUsers` users with a JSON socket each. Every notice is held (Plaza: all
 * the jobs wait in the provider; bare: the frames are queued), then released at once; the
 * rate is the notices over the time from the release to the last arrival (and, for
 * reference, from the first arrival to the last).
 */
function noticesCase(name: WsCaseName) {
  const info = WS_CASES[name];
  const users = WS_LOAD.noticeUsers;
  return (context: WsContext): Promise<WsCaseResult> =>
    withServer(context, info, users, async (server, specs, watch) => {
      const clients = await connect(server, specs('json'));
      try {
        const clock = await measureClockOffset(server);
        await server.ask({ type: 'hold' });
        await server.ask({ type: 'trigger', userIds: server.userIds, perSecond: null });
        await until(`${name}: not every notice was held`, NOTICES_LIMIT_MS, async () => {
          return (await server.ask({ type: 'status' })).held === users;
        });
        const stop = await watch();
        const { at: releasedAt } = await server.ask({ type: 'release' });
        await noticesArrive(clients, users);
        const cpu = await stop();
        await delay(STRAGGLER_MS);
        assertNoProblems(name, clients);
        assertOneEach(name, clients, users);
        const arrivals = [...clients.arrivals.values()].map((times) => times[0]!);
        const first = Math.min(...arrivals);
        const last = Math.max(...arrivals);
        const releaseToLastMs = last + clock.offsetMs - releasedAt;
        return {
          kind: 'ws',
          info,
          figures: {
            measures: 'notices',
            notices: users,
            noticesPerSecond: (users * 1000) / releaseToLastMs,
            firstToLastPerSecond: ((users - 1) * 1000) / (last - first),
            firstToLastMs: last - first,
            releaseToFirstMs: first + clock.offsetMs - releasedAt,
            releaseToLastMs,
            meanNoticeBytes: clients.noticeBytes / clients.notices,
          },
          cpu,
          notes: [],
        };
      } finally {
        clients.close();
      }
    });
}

export const WS_RUNNERS: Readonly<
  Record<WsCaseName, (context: WsContext) => Promise<WsCaseResult>>
> = {
  'ws-bare-memory': memoryCase('ws-bare-memory'),
  'ws-memory': memoryCase('ws-memory'),
  'ws-bare-latency': latencyCase('ws-bare-latency'),
  'ws-latency': latencyCase('ws-latency'),
  'ws-bare-notices': noticesCase('ws-bare-notices'),
  'ws-notices': noticesCase('ws-notices'),
};
