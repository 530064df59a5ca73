import type { Knex } from 'knex';
import type { DatabaseLocation, PlazaOptions } from '../config.js';
import type { EventBus } from '../events/EventBus.js';
import { InProcessEventBus } from '../events/InProcessEventBus.js';
import { PostgresEventBus } from '../events/PostgresEventBus.js';
import type { Logger } from '../logger.js';

/**
 * The event bus `options` ask for: the one passed in, else one through the database on
 * PostgreSQL (several instances may share it, so events must reach them all), else one in
 * this process on SQLite.
 *
 * @example const bus = await chooseEventBus(db, location, options, logger)
 */
export async function chooseEventBus(
  db: Knex,
  location: DatabaseLocation,
  options: PlazaOptions,
  logger: Logger,
): Promise<EventBus> {
  if (options.eventBus) return options.eventBus;
  if (location.client === 'postgres') {
    return PostgresEventBus.start(db, {
      connectionString: location.connectionString,
      schema: location.schema,
      logger,
    });
  }
  return new InProcessEventBus(logger);
}
