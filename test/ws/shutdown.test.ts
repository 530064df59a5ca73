import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { sharedDatabaseUrl } from '@plaza/core/testing';
import { signUp } from '../support/builders.js';
import { runCli } from '../support/cliProcess.js';
import { Api } from '../support/http.js';
import { openAuthenticated, openWatchSocket, withTimeout } from '../support/watchSocket.js';

test('SIGTERM with sockets open closes them with 1001 and the server still exits', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'plaza-ws-'));
  const run = runCli([], {
    cwd,
    // The requests' grace period is long, so only closing the sockets lets the server stop.
    env: {
      PORT: '0',
      SCRYPT_LOG_N: '10',
      SHUTDOWN_TIMEOUT_MS: '600000',
      DATABASE_URL: sharedDatabaseUrl(cwd),
    },
  });
  t.teardown(() => run.child.kill('SIGKILL'));
  const url = await withTimeout(run.listening, 10_000, 'the server to listen');
  const ada = await signUp(new Api(url));
  const authenticated = await openAuthenticated(url, ada.token, ada.userId);
  const waiting = await openWatchSocket(url);

  run.child.kill('SIGTERM');
  const exitCode = await withTimeout(run.exited, 10_000, 'the server to exit');
  t.is(exitCode, 0);
  t.deepEqual(await authenticated.closed(), { code: 1001, reason: 'server shutting down' });
  t.deepEqual(await waiting.closed(), { code: 1001, reason: 'server shutting down' });
  t.regex(run.stdout(), /"msg":"stopped"/);
});
