/**
 * The reference page at `/docs` in a real Chromium: it renders the document's routes from the
 * server's own files alone (no CDN, nothing the page's policy refuses). `npm run test:browser`.
 */
import test from 'ava';
import { startInProcessTarget } from '../support/apiTarget.js';
import { launchChromium } from './chromium.js';

/** Every wait in the page: the bundle is 1.8 MB, and the machine may be busy. */
const PAGE_WAIT_MS = 30_000;

test('/docs renders every route of the document, offline, within its security policy', async (t) => {
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  page.setDefaultTimeout(PAGE_WAIT_MS);

  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  const complaints: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      complaints.push(`[console.${message.type()}] ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => complaints.push(`[uncaught] ${error.message}`));

  const loaded = await page.goto(`${target.baseUrl}/docs`);
  t.is(loaded?.status(), 200);
  await page
    .locator('.information-container .title')
    .filter({ hasText: 'Plaza HTTP API' })
    .waitFor();
  const paths = await page.locator('.opblock-summary-path').allTextContents();
  for (const path of ['/post/read', '/api-token-auth/', '/user/data', '/user-watch', '/healthz']) {
    t.true(
      paths.some((shown) => shown.replace(/\u200b/g, '') === path),
      `${path} is on the page: ${paths.join(', ')}`,
    );
  }

  // One operation opens, with its parameters and its answer's schema.
  await page.locator('#operations-posts-readPost .opblock-summary').click();
  await page
    .locator('#operations-posts-readPost .parameters')
    .getByText('post_id')
    .first()
    .waitFor();

  t.deepEqual(
    requested.filter((url) => !url.startsWith(`${target.baseUrl}/`)),
    [],
    'every file comes from the server itself',
  );
  t.true(requested.includes(`${target.baseUrl}/openapi.json`));
  t.deepEqual(complaints, [], 'nothing refused by the page policy, no error in the page');
});
