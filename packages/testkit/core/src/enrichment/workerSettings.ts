import type { EnrichmentOptions } from '../config.js';
import { ConfigError } from '../errors.js';
import type { WorkerSettings } from './EnrichmentWorker.js';
import { DEFAULT_RETRY_POLICY } from './retryPolicy.js';

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  ...DEFAULT_RETRY_POLICY,
  concurrency: 4,
  pollIntervalMs: 1_000,
  leaseMs: 60_000,
};

/** The worker's settings from `options`, defaults filled in; a value that cannot work throws. */
export function workerSettings(options: EnrichmentOptions = {}): WorkerSettings {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const settings: WorkerSettings = {
    concurrency: options.concurrency ?? DEFAULT_WORKER_SETTINGS.concurrency,
    maxAttempts: options.maxAttempts ?? DEFAULT_WORKER_SETTINGS.maxAttempts,
    retryBaseMs: options.retryBaseMs ?? DEFAULT_WORKER_SETTINGS.retryBaseMs,
    retryMaxMs: options.retryMaxMs ?? DEFAULT_WORKER_SETTINGS.retryMaxMs,
    maxPendingMs: options.maxPendingMs ?? DEFAULT_WORKER_SETTINGS.maxPendingMs,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_WORKER_SETTINGS.pollIntervalMs,
    leaseMs: options.leaseMs ?? Math.max(DEFAULT_WORKER_SETTINGS.leaseMs, 3 * timeoutMs),
  };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ConfigError(`enrichment.${name} must be a positive whole number; it is ${value}.`);
    }
  }
  if (settings.retryMaxMs < settings.retryBaseMs) {
    throw new ConfigError('enrichment.retryMaxMs must be at least enrichment.retryBaseMs.');
  }
  // A lease shorter than a provider request would let a second worker take a job still running.
  if (settings.leaseMs <= timeoutMs) {
    throw new ConfigError(
      `enrichment.leaseMs (${settings.leaseMs}) must exceed the provider timeout (${timeoutMs} ms).`,
    );
  }
  return settings;
}
