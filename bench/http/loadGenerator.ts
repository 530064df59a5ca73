/**
 * The load generator: a child process that runs autocannon against one target and reports
 * back over IPC. It runs apart from the server so that building and parsing requests does
 * not take CPU from the event loop being measured (the bench machine has 2 cores: one for
 * the server, one for this).
 */
import autocannon from 'autocannon';
import { requestAt, type GeneratorMessage, type LoadFigures, type LoadPlan } from './loadPlan.js';

const MAX_FAILURE_SAMPLES = 5;

function send(message: GeneratorMessage): void {
  process.send?.(message);
}

/** One autocannon run; `next` numbers requests across runs so that warm-up likes stay distinct. */
async function runOnce(
  plan: LoadPlan,
  durationSeconds: number,
  next: { index: number },
): Promise<LoadFigures> {
  const failureSamples: string[] = [];
  const result = await autocannon({
    // Several URLs: autocannon opens connection i to URL i mod n and keeps it there
    // (lib/run.js); @types/autocannon knows only the one-URL form.
    url: (plan.origins.length === 1 ? plan.origins[0] : [...plan.origins]) as string,
    connections: plan.connections,
    duration: durationSeconds,
    timeout: plan.timeoutSeconds,
    method: plan.method,
    requests: [
      {
        method: plan.method,
        setupRequest: function nextRequest(request) {
          const shape = requestAt(plan, next.index++);
          const headers: Record<string, string> = {};
          if (shape.body !== undefined) {
            headers['content-type'] = 'application/x-www-form-urlencoded';
          }
          if (shape.authorization !== undefined) headers['authorization'] = shape.authorization;
          return { ...request, path: shape.path, body: shape.body ?? '', headers };
        },
        onResponse: function keepFailures(status, body) {
          if ((status < 200 || status > 299) && failureSamples.length < MAX_FAILURE_SAMPLES) {
            failureSamples.push(`${status} ${body.slice(0, 300)}`);
          }
        },
      },
    ],
  });
  const statusCounts = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [status, count ?? 0]),
  );
  return {
    requestsPerSecond: { mean: result.requests.average, stddev: result.requests.stddev },
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      mean: result.latency.average,
      max: result.latency.max,
    },
    durationSeconds: result.duration,
    responses: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'],
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCounts,
    failureSamples,
  };
}

process.once('message', (plan: LoadPlan) => {
  const next = { index: 0 };
  void (async () => {
    try {
      const warmup =
        plan.warmupSeconds > 0 ? await runOnce(plan, plan.warmupSeconds, next) : undefined;
      send({ type: 'measuring' });
      const cpuAtStart = process.cpuUsage();
      const measured = await runOnce(plan, plan.durationSeconds, next);
      const cpu = process.cpuUsage(cpuAtStart);
      send({
        type: 'done',
        result: { warmup, measured, generatorCpuMicros: cpu.user + cpu.system },
      });
    } catch (error) {
      send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    } finally {
      process.disconnect();
    }
  })();
});
