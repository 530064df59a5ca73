import {
  createPlaza,
  InProcessEventBus,
  type LoginThrottleOptions,
  type Plaza,
  type ScryptCost,
} from '@plaza/core';
import type { BenchDatabases } from '../support/BenchDatabases.js';
import { deploymentLabel, type Deployment } from '../support/deployments.js';
import { startPlazaServer, type PlazaServerProcess } from './plazaServerProcess.js';
import { startPlazaTarget } from './plazaTarget.js';
import type { CpuSources } from './runLoad.js';

/** Plaza deployed for the HTTP cases: one instance in this process, or server processes. */
export interface DeployedPlaza {
  readonly deployment: Deployment;
  /** One per instance: the load generator spreads its connections over them. */
  readonly origins: readonly string[];
  /**
   * Plaza on the same database, in this process: the server itself (one instance), or an
   * instance with no HTTP server and no job worker (several), for seeding and checking.
   */
  readonly plaza: Plaza;
  /** Where the server's and the database's CPU is read from during a run. */
  readonly cpu: CpuSources;
  /** Whether `--profile` can profile the server (only when it runs in this process). */
  readonly inProcess: boolean;
  /**
   * Waits (up to `timeoutMs`) for the requests left in flight after a run; resolves with how
   * many are left. Server processes cannot be asked: they resolve 0 at once.
   */
  drain(timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export interface DeployOptions {
  readonly deployment: Deployment;
  readonly databases: BenchDatabases;
  /** Names the fresh database (a SQLite file or a PostgreSQL schema). */
  readonly name: string;
  readonly jwtSecret: string;
  /** A temporary folder: the server processes' working folder. */
  readonly dir: string;
  /** Omitted: the default (OWASP) cost, as production runs. */
  readonly scrypt?: Partial<ScryptCost>;
  /**
   * Turns the login throttle off (its per-account rate and its limit on checks in flight
   * would refuse most of a load of one account's logins): the login case measures hashing.
   */
  readonly unthrottledLogins?: boolean;
}

const UNTHROTTLED: LoginThrottleOptions = {
  maxFailures: 0,
  ipMaxFailures: 0,
  nameMaxFailures: 0,
  accountLoginsPerMinute: 0,
  ipLoginsPerMinute: 0,
};

/**
 * Deploys Plaza on a fresh database: one instance as the default bench hosts it (in this
 * process, see plazaTarget.ts), or several `plaza-server` processes sharing the database.
 *
 * @example const deployed = await deployPlaza({ deployment: { database: 'postgres', instances: 2 }, … })
 */
export async function deployPlaza(options: DeployOptions): Promise<DeployedPlaza> {
  const { deployment, databases, jwtSecret } = options;
  const databaseUrl = await databases.fresh(deployment.database, options.name);
  const database = databases.cpuOf(deployment.database);
  const scrypt = options.scrypt === undefined ? {} : { scrypt: options.scrypt };
  if (deployment.instances === 1) {
    const target = await startPlazaTarget({
      databaseUrl,
      jwtSecret,
      ...scrypt,
      ...(options.unthrottledLogins === true ? { loginThrottle: UNTHROTTLED } : {}),
    });
    return {
      deployment,
      origins: [target.origin],
      plaza: target.plaza,
      cpu: database === undefined ? {} : { database },
      inProcess: true,
      drain: target.drain,
      close: () => target.close(),
    };
  }
  // Opened first, so that the schema is migrated before the servers start. Not an instance
  // of the deployment: no job worker, and its events stay here (on PostgreSQL, Plaza's own
  // bus would LISTEN and read every event the servers record, on the bench's CPU).
  const plaza = await createPlaza({
    databaseUrl,
    jwtSecret,
    providers: 'fake',
    enrichment: { worker: false },
    eventBus: new InProcessEventBus(),
    ...scrypt,
  });
  const servers: PlazaServerProcess[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.close()));
    await plaza.close();
  };
  try {
    const started = await Promise.allSettled(
      Array.from({ length: deployment.instances }, () =>
        startPlazaServer({
          databaseUrl,
          jwtSecret,
          cwd: options.dir,
          ...(options.scrypt?.logN === undefined ? {} : { scryptLogN: options.scrypt.logN }),
          ...(options.unthrottledLogins === true ? { unthrottledLogins: true } : {}),
        }),
      ),
    );
    for (const outcome of started) if (outcome.status === 'fulfilled') servers.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) {
      throw new Error(`${deploymentLabel(deployment)}: a server did not start`, {
        cause: failed.reason,
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    deployment,
    origins: servers.map((server) => server.origin),
    plaza,
    cpu: { serverPids: servers.map((server) => server.pid), ...(database && { database }) },
    inProcess: false,
    drain: () => Promise.resolve(0),
    close,
  };
}
