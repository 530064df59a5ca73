import test from 'ava';

import type { EnrichmentOptions } from '../config.js';
import { ConfigError } from '../errors.js';
import { DEFAULT_RETRY_POLICY } from './retryPolicy.js';
import { DEFAULT_WORKER_SETTINGS, workerSettings } from './workerSettings.js';

test('without options the worker runs on the documented defaults', (t) => {
  t.deepEqual(workerSettings(), {
    concurrency: 4,
    maxAttempts: 5,
    retryBaseMs: 2_000,
    retryMaxMs: 300_000,
    maxPendingMs: 3_600_000,
    pollIntervalMs: 1_000,
    leaseMs: 60_000,
  });
  t.deepEqual(workerSettings({}), DEFAULT_WORKER_SETTINGS);
});

test('the default settings carry the default retry policy', (t) => {
  t.like(DEFAULT_WORKER_SETTINGS, DEFAULT_RETRY_POLICY);
});

test('every given value is used', (t) => {
  const options = {
    concurrency: 16,
    maxAttempts: 3,
    retryBaseMs: 100,
    retryMaxMs: 1_000,
    maxPendingMs: 5_000,
    pollIntervalMs: 50,
    leaseMs: 20_000,
  };
  t.deepEqual(workerSettings(options), options);
});

test('options that are not worker settings are ignored', (t) => {
  t.deepEqual(
    workerSettings({ provider: 'fake', worker: false, clearbit: { apiKey: 'k' } }),
    DEFAULT_WORKER_SETTINGS,
  );
});

const SETTINGS = [
  'concurrency',
  'maxAttempts',
  'retryBaseMs',
  'retryMaxMs',
  'maxPendingMs',
  'pollIntervalMs',
  'leaseMs',
] as const;

for (const setting of SETTINGS) {
  for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`enrichment.${setting} = ${value} is a ConfigError naming it`, (t) => {
      // retryMaxMs must stay >= retryBaseMs for the other settings, so the base is small here.
      const options: EnrichmentOptions = { retryBaseMs: 1, [setting]: value };
      const error = t.throws(() => workerSettings(options), { instanceOf: ConfigError });
      t.true(error.message.includes(`enrichment.${setting}`), error.message);
    });
  }
}

test('1 is the smallest value each setting accepts', (t) => {
  const ones = Object.fromEntries(SETTINGS.map((setting) => [setting, 1]));
  const settings = workerSettings({ ...ones, leaseMs: 2, timeoutMs: 1 });
  t.like(settings, { ...ones, leaseMs: 2 });
});

test('retryMaxMs below retryBaseMs is a ConfigError naming both', (t) => {
  const error = t.throws(() => workerSettings({ retryBaseMs: 5_000, retryMaxMs: 4_999 }), {
    instanceOf: ConfigError,
  });
  t.regex(error.message, /retryMaxMs/);
  t.regex(error.message, /retryBaseMs/);
});

test('retryMaxMs equal to retryBaseMs is fine', (t) => {
  t.like(workerSettings({ retryBaseMs: 5_000, retryMaxMs: 5_000 }), { retryMaxMs: 5_000 });
});

test('a retryBaseMs above the default retryMaxMs needs a larger retryMaxMs', (t) => {
  t.throws(() => workerSettings({ retryBaseMs: 600_000 }), { instanceOf: ConfigError });
});

test('the lease must exceed the provider timeout', (t) => {
  for (const leaseMs of [5_000, 10_000]) {
    const error = t.throws(() => workerSettings({ timeoutMs: 10_000, leaseMs }), {
      instanceOf: ConfigError,
    });
    t.regex(error.message, /leaseMs/);
    t.regex(error.message, /timeout/);
  }
  t.like(workerSettings({ timeoutMs: 10_000, leaseMs: 10_001 }), { leaseMs: 10_001 });
});

test('the lease must exceed the default 10 s timeout when no timeout is given', (t) => {
  t.throws(() => workerSettings({ leaseMs: 10_000 }), { instanceOf: ConfigError });
  t.like(workerSettings({ leaseMs: 10_001 }), { leaseMs: 10_001 });
});

test('the default lease grows to three provider timeouts when the timeout is long', (t) => {
  t.is(workerSettings({ timeoutMs: 5_000 }).leaseMs, 60_000);
  t.is(workerSettings({ timeoutMs: 20_000 }).leaseMs, 60_000);
  t.is(workerSettings({ timeoutMs: 30_000 }).leaseMs, 90_000);
  t.is(workerSettings({ timeoutMs: 120_000 }).leaseMs, 360_000);
});
