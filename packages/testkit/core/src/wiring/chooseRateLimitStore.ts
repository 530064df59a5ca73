import type { Knex } from 'knex';
import { dialectOf } from '../adapters/db/createKnex.js';
import type { PlazaOptions } from '../config.js';
import type { Logger } from '../logger.js';
import { DatabaseRateLimitStore } from '../limits/DatabaseRateLimitStore.js';
import { InMemoryRateLimitStore } from '../limits/InMemoryRateLimitStore.js';
import type { RateLimitStore } from '../limits/RateLimitStore.js';

/**
 * The store `options` ask for; by default the database on PostgreSQL, where several
 * instances may share it, and memory on SQLite, which serves one process.
 */
export function chooseRateLimitStore(
  db: Knex,
  options: PlazaOptions,
  logger: Logger,
): RateLimitStore {
  const asked = options.rateLimitStore ?? (dialectOf(db) === 'postgres' ? 'database' : 'memory');
  if (asked === 'database') return new DatabaseRateLimitStore(db, logger);
  if (asked === 'memory') return new InMemoryRateLimitStore();
  return asked;
}
