import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { sharedDatabaseUrl } from '@plaza/testkit';
import { Api } from '../support/http.js';
import { runCli } from '../support/cliProcess.js';
import { signUp, uniqueUsername } from '../support/builders.js';
import { eventually } from '../support/eventually.js';
import {
  expectedFakeClearbitProfile,
  FAKE_CLEARBIT_API_KEY,
  startFakeClearbit,
} from '../fakes/fakeClearbit.js';

test('a job queued while Clearbit is down survives a restart and completes once it is back', async (t) => {
  const clearbit = await startFakeClearbit();
  t.teardown(() => clearbit.close());
  clearbit.setDown(true);
  const cwd = mkdtempSync(join(tmpdir(), 'plaza-restart-'));
  // No JWT_SECRET: the user's token must outlive the restart with the generated one.
  const env = {
    PORT: '0',
    DATABASE_URL: sharedDatabaseUrl(cwd),
    LOG_LEVEL: 'info',
    SCRYPT_LOG_N: '10',
    CLEARBIT_API_KEY: FAKE_CLEARBIT_API_KEY,
    CLEARBIT_API_URL: clearbit.url,
    ENRICHMENT_RETRY_BASE_MS: '100',
    ENRICHMENT_RETRY_MAX_MS: '300',
    ENRICHMENT_POLL_MS: '50',
    ENRICHMENT_MAX_ATTEMPTS: '50',
  };

  const first = runCli([], { cwd, env });
  t.teardown(() => first.child.kill('SIGKILL'));
  const api = new Api(await first.listening);
  const email = `ada.${uniqueUsername('lovelace')}@example.com`;
  const user = await signUp(api, { email });
  const requested = await api.post('/user/request-retrieve-data', {}, { token: user.token });
  t.is(requested.status, 202);
  await eventually('a look-up while Clearbit is down', () =>
    clearbit.requests.length >= 2 ? true : undefined,
  );
  t.is(await first.stop('SIGTERM'), 0);
  const own = (await api.get('/user/data', {}, { token: user.token }).catch(() => undefined))
    ?.status;
  t.is(own, undefined, 'the first server is gone');

  clearbit.setDown(false);
  const second = runCli([], { cwd, env });
  t.teardown(() => second.child.kill('SIGKILL'));
  const again = new Api(await second.listening);
  const profile = await eventually('the profile filled after the restart', async () => {
    const answer = await again.get('/user/data', {}, { token: user.token });
    const data = answer.body['data'] as Record<string, unknown>;
    return data['city'] === null ? undefined : data;
  });
  const expected = expectedFakeClearbitProfile(email);
  t.like(profile, { first_name: expected.first_name, city: expected.city, site: expected.site });
  t.is(await second.stop('SIGTERM'), 0);
  t.false(
    first.stdout().includes(FAKE_CLEARBIT_API_KEY) ||
      second.stdout().includes(FAKE_CLEARBIT_API_KEY),
  );
});
