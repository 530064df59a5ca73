import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import WebSocket from 'ws';
import { createClient } from '@plaza/client-sdk';
import { DatabaseUnavailable } from '@plaza/core';
import { temporaryDirectory, testPostgresUrl } from '@plaza/testkit';
import { startExpressShop } from '@plaza/example-embed/express';
import { startKoaShop, type RunningShop } from '@plaza/example-embed/koa';
import { migrateShop, openShopDatabase, type ShopConfig } from '@plaza/example-embed/shop-database';

const hosts = { Koa: startKoaShop, Express: startExpressShop } as const;

/** A database of the test's own: a PostgreSQL schema for the shop and one for Plaza, or a folder. */
async function shopConfig(t: ExecutionContext): Promise<ShopConfig> {
  const postgres = testPostgresUrl();
  if (postgres === undefined) return { dataDir: await temporaryDirectory(t) };
  const suffix = randomBytes(6).toString('hex');
  const url = new URL(postgres);
  url.searchParams.set('schema', `shop_${suffix}`);
  return { databaseUrl: url.toString(), socialSchema: `social_${suffix}` };
}

/** The shop's migration step, as its deploy runs it. */
async function migrate(config: ShopConfig): Promise<{ shop: string[]; social: string[] }> {
  const db = openShopDatabase(config);
  try {
    return await migrateShop(db);
  } finally {
    await db.close();
  }
}

async function start(
  t: ExecutionContext,
  host: keyof typeof hosts,
  config: ShopConfig,
): Promise<RunningShop> {
  const shop = await hosts[host](config);
  t.teardown(() => shop.close());
  return shop;
}

const json = async (url: string): Promise<unknown> => (await fetch(url)).json();

for (const host of ['Koa', 'Express'] as const) {
  test(`${host} host: its routes and tables, and Plaza under /social with live likes`, async (t) => {
    const config = await shopConfig(t);
    const migrated = await migrate(config);
    t.deepEqual(migrated.shop, ['20250101000000_customers_and_blog']);
    t.true(migrated.social.length > 0, "the shop's migrate step ran Plaza's migrations too");
    const shop = await start(t, host, config);
    const customers = [{ id: 1, name: 'Ada Shopkeeper' }];

    t.deepEqual(await json(`${shop.url}/`), { app: 'my-shop', social: '/social' });
    t.deepEqual(await json(`${shop.url}/customers`), customers);
    t.deepEqual(await json(`${shop.url}/social/healthz`), { code: 'OK', data: { status: 'ok' } });

    const author = createClient(`${shop.url}/social`);
    const reader = createClient(`${shop.url}/social`);
    await author.auth.signup({
      username: 'shop_author',
      password: 'shelf-Quartz-91',
      email: 'author@example.com',
    });
    await reader.auth.signup({
      username: 'shop_reader',
      password: 'shelf-Quartz-92',
      email: 'reader@example.com',
    });
    const { post_id } = await author.posts.create({ title: 'New stock', text: 'Lamps' });
    const liked = new Promise<{ post_id: number; likes: number }>((resolve) =>
      author.events.on('post.liked', resolve),
    );
    await author.events.connect();
    t.teardown(() => author.events.close());

    await reader.likes.like(post_id);

    t.like(await liked, { post_id, likes: 1 });
    t.like(await reader.posts.get(post_id), { post_id, likes: 1 });
    // The shop's own users table: still its one customer, none of Plaza's users.
    t.deepEqual(await json(`${shop.url}/customers`), customers);
  });

  test(`${host} host: a WebSocket upgrade outside /social is not Plaza's`, async (t) => {
    const config = await shopConfig(t);
    await migrate(config);
    const shop = await start(t, host, config);
    const ws = (path: string) => `${shop.url.replace('http:', 'ws:')}${path}`;
    const outcome = (socket: WebSocket): Promise<string> =>
      new Promise((resolve) => {
        socket.once('open', () => {
          socket.close();
          resolve('open');
        });
        socket.once('error', () => resolve('refused'));
      });
    t.is(await outcome(new WebSocket(ws('/user-watch'))), 'refused');
    t.is(await outcome(new WebSocket(ws('/social/user-watch'))), 'open');
  });

  test(`${host} host: started before its migrate step, Plaza refuses and says what to run`, async (t) => {
    const config = await shopConfig(t);
    const refused = await t.throwsAsync(hosts[host](config), { instanceOf: DatabaseUnavailable });
    t.regex(
      refused.message,
      /migrate: false was given.*run Plaza's migrations from your migration step first: await migratePlaza\(knex/,
    );
  });
}
