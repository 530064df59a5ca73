/**
 * Helpers for Plaza's own tests and benchmarks, and for apps that test against Plaza:
 * builders, waits, and a private PostgreSQL cluster. Not part of the stable API.
 */
export * from './builders.js';
export * from './testDatabase.js';
export * from './postgresCluster.js';
export * from './waits.js';
export { dialectOf, type Dialect } from '../adapters/db/createKnex.js';
export { selectRows } from '../adapters/db/selectRows.js';
export { keysReadBy } from './keysReadBy.js';
