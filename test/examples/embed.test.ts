import test from 'ava';
import { startEmbeddedApp } from '@plaza/example-embed';

test('the embed example serves its own route and Plaza under /social', async (t) => {
  const app = await startEmbeddedApp();
  t.teardown(() => app.close());

  const own = await fetch(`${app.url}/`);
  t.deepEqual(await own.json(), { app: 'my-shop', social: '/social' });

  const health = await fetch(`${app.url}/social/healthz`);
  t.deepEqual(await health.json(), { code: 'OK', data: { status: 'ok' } });

  const missing = await fetch(`${app.url}/social/post/read?post_id=1`);
  t.is(missing.status, 404);
  t.deepEqual(await missing.json(), { code: 'USR_01', message: 'Object not found.' });
});
