import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { sharedDatabaseUrl } from '@plaza/testkit';
import { signUp } from '../support/builders.js';
import { runCli } from '../support/cliProcess.js';
import { Api } from '../support/http.js';
import { openAuthenticated, openWatchSocket } from '../support/watchSocket.js';

test('SIGTERM with sockets open closes them with 1001 and the server still exits', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'plaza-ws-'));
  const run = runCli([], {
    cwd,
    // The requests' grace period is long, so only closing the sockets lets the server stop;
    // so is the authentication timeout, so the waiting socket is still open at the SIGTERM.
    env: {
      PORT: '0',
      SCRYPT_LOG_N: '10',
      SHUTDOWN_TIMEOUT_MS: '600000',
      WS_AUTH_TIMEOUT_MS: '600000',
      DATABASE_URL: sharedDatabaseUrl(cwd),
    },
  });
  t.teardown(() => run.child.kill('SIGKILL'));
  // Bounded in runCli by a ceiling for a saturated machine, and failed at once if it exits.
  const url = await run.listening;
  const ada = await signUp(new Api(url));
  const authenticated = await openAuthenticated(url, ada.token, ada.userId);
  const waiting = await openWatchSocket(url);

  // Exiting at all is the point: the grace period for requests would keep it up 10 minutes.
  t.is(await run.stop('SIGTERM'), 0);
  t.deepEqual(await authenticated.closed(), { code: 1001, reason: 'server shutting down' });
  t.deepEqual(await waiting.closed(), { code: 1001, reason: 'server shutting down' });
  t.regex(run.stdout(), /"msg":"stopped"/);
});
