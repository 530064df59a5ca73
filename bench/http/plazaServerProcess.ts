import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '@plaza/testkit';
import { onExit } from '../support/exitCleanup.js';

/** The deployable server, as `npm start` runs it. */
const CLI = fileURLToPath(new URL('../../../packages/server-koa/dist/cli.js', import.meta.url));
const START_LIMIT_MS = 60_000;
/** plaza-server lets requests in flight finish for up to 10 s (SHUTDOWN_TIMEOUT_MS) on SIGTERM. */
const EXIT_LIMIT_MS = 15_000;
const POLL_MS = 50;

/** One `plaza-server` process the bench started. */
export interface PlazaServerProcess {
  readonly pid: number;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** SIGTERM, as a process manager stops it; SIGKILL if it has not exited 15 s later. */
  close(): Promise<void>;
}

const UNTHROTTLED_LOGIN_ENV = {
  LOGIN_MAX_FAILURES: '0',
  LOGIN_IP_MAX_FAILURES: '0',
  LOGIN_NAME_MAX_FAILURES: '0',
  LOGIN_ACCOUNT_PER_MINUTE: '0',
  LOGIN_IP_PER_MINUTE: '0',
};

export interface PlazaServerOptions {
  readonly databaseUrl: string;
  readonly jwtSecret: string;
  /** SCRYPT_LOG_N; omitted: the default (OWASP) cost. */
  readonly scryptLogN?: number;
  /** Turns the login throttle off, every limit of it (for the login case, which measures hashing). */
  readonly unthrottledLogins?: boolean;
  /** The working folder: plaza-server reads a `.env` there, so not the repository's. */
  readonly cwd: string;
}

/**
 * Starts `plaza-server` (packages/server-koa/dist/cli.js) as a user deploys it, configured by
 * its environment: the database, the secret, the offline fake providers, 127.0.0.1 on a free
 * port, every request logged at `info` to standard output, which is /dev/null (as the bench's
 * own Plaza logs). Resolves once `GET /healthz` answers 200; bounded in time, and killed
 * when the bench exits.
 *
 * @example const server = await startPlazaServer({ databaseUrl, jwtSecret, cwd: dir })
 */
export async function startPlazaServer(options: PlazaServerOptions): Promise<PlazaServerProcess> {
  const port = await freePort();
  const devNull = openSync('/dev/null', 'w');
  const threadpool = process.env['UV_THREADPOOL_SIZE'];
  const child = spawn(process.execPath, [CLI], {
    cwd: options.cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL: options.databaseUrl,
      JWT_SECRET: options.jwtSecret,
      HOST: '127.0.0.1',
      PORT: String(port),
      PLAZA_PROVIDERS: 'fake',
      LOG_LEVEL: 'info',
      ...(options.scryptLogN === undefined ? {} : { SCRYPT_LOG_N: String(options.scryptLogN) }),
      ...(options.unthrottledLogins === true ? UNTHROTTLED_LOGIN_ENV : {}),
      ...(threadpool === undefined ? {} : { UV_THREADPOOL_SIZE: threadpool }),
    },
    stdio: ['ignore', devNull, 'pipe'],
  });
  closeSync(devNull);
  const forget = onExit(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(forget);
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const origin = `http://127.0.0.1:${port}`;

  async function kill(): Promise<void> {
    if (!gone()) child.kill('SIGKILL');
    await Promise.race([exited, delay(EXIT_LIMIT_MS, undefined, { ref: false })]);
  }

  const giveUpAt = performance.now() + START_LIMIT_MS;
  for (;;) {
    if (gone()) {
      const how = child.signalCode ?? `code ${String(child.exitCode)}`;
      throw new Error(`plaza-server exited before it answered (${how}): ${stderr.trim()}`);
    }
    if (await answers(`${origin}/healthz`)) break;
    if (performance.now() > giveUpAt) {
      await kill();
      throw new Error(`plaza-server did not answer within ${START_LIMIT_MS} ms: ${stderr.trim()}`);
    }
    await delay(POLL_MS);
  }
  return {
    pid: child.pid ?? 0,
    origin,
    async close() {
      if (!gone()) child.kill('SIGTERM');
      await Promise.race([exited, delay(EXIT_LIMIT_MS, undefined, { ref: false })]);
      await kill();
    },
  };
}

/** True when `url` answers 200 within a second. */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = request(url, { timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    probe.on('timeout', () => probe.destroy());
    probe.on('error', () => resolve(false));
    probe.end();
  });
}
