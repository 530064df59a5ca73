/**
 * The database of "my-shop", a host app with tables of its own named `users` and `posts`
 * (its customers and its blog), and Plaza's tables beside them:
 * - PostgreSQL: one knex; the shop's tables in its search path, Plaza's in a schema of their
 *   own (`social`).
 * - SQLite: a table name is the same everywhere in one file, so Plaza gets a file of its own
 *   (`social.sqlite` beside `shop.sqlite`) with a knex the shop opens for it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { createPlaza, migratePlaza, type Plaza } from '@plaza/core';

export interface ShopConfig {
  /**
   * `postgres://…` (add `?schema=NAME` to keep the shop's tables in that schema), or
   * undefined: SQLite files in `dataDir`.
   */
  readonly databaseUrl?: string | undefined;
  /** PostgreSQL: the schema of Plaza's tables (default `social`). */
  readonly socialSchema?: string | undefined;
  /** SQLite: the folder of `shop.sqlite` and `social.sqlite` (default `./data`). */
  readonly dataDir?: string | undefined;
}

export interface ShopDatabase {
  /** The shop's own knex. */
  readonly shop: Knex;
  /** The knex given to Plaza: the shop's on PostgreSQL, one on `social.sqlite` on SQLite. */
  readonly social: Knex;
  /** PostgreSQL: Plaza's schema. */
  readonly socialSchema: string | undefined;
  /** PostgreSQL: the shop's schema, if its URL named one. */
  readonly shopSchema: string | undefined;
  close(): Promise<void>;
}

/** Opens the shop's database (and Plaza's SQLite file). Nothing is migrated here. */
export function openShopDatabase(config: ShopConfig = {}): ShopDatabase {
  if (config.databaseUrl !== undefined) {
    const url = new URL(config.databaseUrl);
    const schema = url.searchParams.get('schema');
    url.searchParams.delete('schema');
    const shop = knex({
      client: 'pg',
      connection: url.toString(),
      ...(schema === null ? {} : { searchPath: [schema] }),
    });
    return {
      shop,
      social: shop,
      socialSchema: config.socialSchema ?? 'social',
      shopSchema: schema ?? undefined,
      close: () => shop.destroy(),
    };
  }
  const dataDir = config.dataDir ?? './data';
  mkdirSync(dataDir, { recursive: true });
  const shop = sqliteKnex(join(dataDir, 'shop.sqlite'));
  const social = sqliteKnex(join(dataDir, 'social.sqlite'));
  return {
    shop,
    social,
    socialSchema: undefined,
    shopSchema: undefined,
    async close() {
      await social.destroy();
      await shop.destroy();
    },
  };
}

function sqliteKnex(filename: string): Knex {
  return knex({
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      // Plaza needs foreign keys on; so should any app on SQLite.
      afterCreate: (connection: SqliteConnection, done: (error: Error | null) => void) =>
        connection.run('PRAGMA foreign_keys = ON', done),
    },
  });
}

interface SqliteConnection {
  run(sql: string, done: (error: Error | null) => void): void;
}

/** The shop's own knex migrations, kept in knex's default `knex_migrations` table. */
const shopMigrations: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(['20250101000000_customers_and_blog']),
  getMigrationName: (name) => name,
  getMigration: () =>
    Promise.resolve({
      async up(db: Knex) {
        await db.schema.createTable('users', (table) => {
          table.increments('id');
          table.string('name').notNullable();
          table.string('email').notNullable();
        });
        await db.schema.createTable('posts', (table) => {
          table.increments('id');
          table.string('headline').notNullable();
        });
        await db('users').insert({ name: 'Ada Shopkeeper', email: 'ada@shop.example' });
        await db('posts').insert({ headline: 'We are open' });
      },
      async down(db: Knex) {
        await db.schema.dropTable('posts');
        await db.schema.dropTable('users');
      },
    }),
};

/**
 * The shop's migration step: its own migrations, then Plaza's (recorded in Plaza's own
 * `plaza_migrations`). Run it at deploy (`node dist/src/koaHost.js migrate`); the servers
 * start Plaza with `migrate: false`.
 */
export async function migrateShop(db: ShopDatabase): Promise<{ shop: string[]; social: string[] }> {
  if (db.shopSchema !== undefined)
    await db.shop.raw('create schema if not exists ??', [db.shopSchema]);
  const [, shop] = (await db.shop.migrate.latest({ migrationSource: shopMigrations })) as [
    number,
    string[],
  ];
  const { applied } = await migratePlaza(db.social, {
    ...(db.socialSchema === undefined ? {} : { schema: db.socialSchema }),
  });
  return { shop, social: [...applied] };
}

/**
 * Plaza on the shop's knex, in its own schema or file, with `migrate: false`: the shop's
 * migrate step (`migrateShop`) runs Plaza's migrations. The database is closed if Plaza
 * cannot start.
 */
export async function startPlazaOnShop(db: ShopDatabase): Promise<Plaza> {
  try {
    return await createPlaza({
      knex: db.social,
      ...(db.socialSchema === undefined ? {} : { schema: db.socialSchema }),
      migrate: false,
      providers: 'fake',
    });
  } catch (error) {
    await db.close();
    throw error;
  }
}
