/**
 * Helpers for Plaza's own tests and benchmarks, and for apps that test against Plaza:
 * builders, waits, and a private PostgreSQL cluster. Not part of the stable API.
 */
export * from './builders.js';
export * from './testDatabase.js';
export * from './postgresCluster.js';
export * from './waits.js';
export * from './assertions.js';
export * from './recordingLogger.js';
export * from './scriptedEnricher.js';
export { keysReadBy } from './keysReadBy.js';
// Re-exported for tests that look into the database beside a Plaza.
export { dialectOf, selectRows, type Dialect } from '@plaza/core/host';
