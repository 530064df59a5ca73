import type { Knex } from 'knex';
import type { PostgresConnection } from '../adapters/db/createKnex.js';
import type { PlazaOptions } from '../config.js';
import type { EventBus } from '../events/EventBus.js';
import { InProcessEventBus } from '../events/InProcessEventBus.js';
import { PostgresEventBus } from '../events/PostgresEventBus.js';
import type { Logger } from '../logger.js';

/**
 * The event bus `options` ask for: the one passed in, else one through the database on
 * PostgreSQL (several instances may share it, so events must reach them all), else one in
 * this process on SQLite.
 *
 * @example const bus = await chooseEventBus(db, { connection: url, schema: 'public' }, options, logger)
 */
export async function chooseEventBus(
  db: Knex,
  /** PostgreSQL: the connection settings of Plaza's pool, and its schema; undefined on SQLite. */
  postgres:
    { readonly connection: string | PostgresConnection; readonly schema: string } | undefined,
  options: PlazaOptions,
  logger: Logger,
): Promise<EventBus> {
  if (options.eventBus) return options.eventBus;
  if (postgres !== undefined) {
    return PostgresEventBus.start(db, {
      connectionString: postgres.connection,
      schema: postgres.schema,
      logger,
    });
  }
  return new InProcessEventBus(logger);
}
