import test from 'ava';
import { createClient } from '@plaza/client-sdk';
import { freshDatabaseUrl } from '@plaza/core/testing';
import { startEmbeddedApp } from '@plaza/example-embed';

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
