import { resolve } from 'node:path';
import type { Knex } from 'knex';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl, type DatabaseLocation } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { isInMemory } from './createKnex.js';
import { checkHostSchema, type HostDatabase } from './hostKnex.js';

/** Where Plaza's database is: a URL Plaza opens, or a knex a host app gave. */
export type DatabaseSource =
  | {
      readonly kind: 'url';
      readonly databaseUrl: string;
      readonly location: DatabaseLocation;
      /** A SQLite file, resolved; undefined in memory and on PostgreSQL. */
      readonly databaseFile: string | undefined;
    }
  | { readonly kind: 'knex'; readonly host: HostDatabase; readonly databaseFile: undefined };

/**
 * Reads the database options of `createPlaza`: `databaseUrl` (default
 * `sqlite:./data/plaza.sqlite`), or a host's `knex` with, on PostgreSQL, a `schema`.
 *
 * @example const source = databaseSourceOf({ knex, schema: 'social' })
 */
export function databaseSourceOf(options: {
  readonly databaseUrl?: string | undefined;
  readonly knex?: Knex | undefined;
  readonly schema?: string | undefined;
}): DatabaseSource {
  if (options.knex !== undefined) {
    if (options.databaseUrl !== undefined) {
      throw new ConfigError(
        'Give createPlaza either databaseUrl or knex, not both: with knex, Plaza uses your database.',
      );
    }
    return {
      kind: 'knex',
      host: checkHostSchema(options.knex, options.schema),
      databaseFile: undefined,
    };
  }
  if (options.schema !== undefined) {
    throw new ConfigError(
      'The schema option goes with knex; with databaseUrl put it in the URL: postgres://…?schema=NAME.',
    );
  }
  const databaseUrl = options.databaseUrl ?? DEFAULT_DATABASE_URL;
  const location = parseDatabaseUrl(databaseUrl);
  const databaseFile =
    location.client === 'sqlite' && !isInMemory(location.filename)
      ? resolve(location.filename)
      : undefined;
  return { kind: 'url', databaseUrl, location, databaseFile };
}
