/**
 * Runs a command with a private PostgreSQL cluster: starts it (installing Debian's
 * postgresql package if missing), creates an empty database, runs the command with
 * PLAZA_TEST_POSTGRES_URL pointing at it, then stops the cluster and deletes it.
 *
 * @example node test/dist/support/withPostgres.js ava --config ava.pg.config.js
 */
import { spawn } from 'node:child_process';
import {
  startPostgresCluster,
  TEST_POSTGRES_URL_VARIABLE,
  THROWAWAY_SETTINGS,
} from '@plaza/testkit';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  console.error('usage: withPostgres COMMAND [ARGS…]');
  process.exit(2);
}

const cluster = await startPostgresCluster({
  settings: THROWAWAY_SETTINGS,
  log: (line) => console.error(`[postgres] ${line}`),
});
let code = 1;
try {
  const url = await cluster.createDatabase('plaza_test');
  console.error(`[postgres] PostgreSQL ${cluster.version} ready: ${url}`);
  code = await new Promise<number>((resolve) => {
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, [TEST_POSTGRES_URL_VARIABLE]: url },
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => child.kill(signal));
    }
    child.on('error', (error) => {
      console.error(error);
      resolve(1);
    });
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal === null ? 1 : 128)));
  });
} finally {
  cluster.stop();
}
process.exit(code);
