import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import test from 'ava';
import { createClient } from '@plaza/client-sdk';
import { freePort, freshDatabaseUrl } from '@plaza/testkit';
import { startEmbeddedApp } from '@plaza/example-embed';
import { runNodeScript } from '../support/nodeScript.js';

const EMBED_SCRIPT = createRequire(import.meta.url).resolve('@plaza/example-embed');

test('the embed example serves its own route and Plaza under /social', async (t) => {
  const app = await startEmbeddedApp(0, freshDatabaseUrl());
  t.teardown(() => app.close());

  const own = await fetch(`${app.url}/`);
  t.deepEqual(await own.json(), { app: 'my-shop', social: '/social' });

  const health = await fetch(`${app.url}/social/healthz`);
  t.deepEqual(await health.json(), { code: 'OK', data: { status: 'ok' } });

  const missing = await fetch(`${app.url}/social/post/read?post_id=1`);
  t.is(missing.status, 404);
  t.deepEqual(await missing.json(), { code: 'USR_01', message: 'Object not found.' });
});

test('live events work under the mount point too', async (t) => {
  const app = await startEmbeddedApp(0, freshDatabaseUrl());
  t.teardown(() => app.close());
  const author = createClient(`${app.url}/social`);
  const reader = createClient(`${app.url}/social`);
  await author.auth.signup({
    username: 'shop_author',
    password: 'shelf-Quartz-91',
    email: 'a@example.com',
  });
  await reader.auth.signup({
    username: 'shop_reader',
    password: 'shelf-Quartz-92',
    email: 'r@example.com',
  });
  const { post_id } = await author.posts.create({ title: 'New stock', text: 'Lamps' });
  const liked = new Promise<{ post_id: number; likes: number }>((resolve) =>
    author.events.on('post.liked', resolve),
  );
  await author.events.connect();

  await reader.likes.like(post_id);

  t.like(await liked, { post_id, likes: 1 });
  t.is(author.events.state, 'open');
  author.events.close();
});

test('run as a program, the embed example listens on PORT', async (t) => {
  const port = await freePort();
  const run = runNodeScript(t, EMBED_SCRIPT, {
    cwd: dirname(EMBED_SCRIPT),
    env: { PORT: String(port) },
  });
  const [, url] = await run.printed(/^my-shop on (http:\S+);/m);
  t.is(url, `http://127.0.0.1:${port}`);
  const health = await fetch(`${url}/social/healthz`);
  t.is(health.status, 200);
});

test('run as a program with a PORT that is not a port, the embed example says so and exits 2', async (t) => {
  const run = runNodeScript(t, EMBED_SCRIPT, { cwd: dirname(EMBED_SCRIPT), env: { PORT: 'http' } });
  const { code, stderr } = await run.exited;
  t.is(code, 2);
  t.regex(stderr, /PORT must be a port number from 0 to 65535; it is "http"/);
});
