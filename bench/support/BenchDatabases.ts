import { join } from 'node:path';
import { type PostgresCluster, startPostgresCluster } from '@plaza/testkit';
import pg from 'pg';
import type { DatabaseKind } from './deployments.js';
import { onExit } from './exitCleanup.js';
import { cpuOfProcessTree, parentOf, type CpuSnapshot } from '../cpu/processCpu.js';

/**
 * The cluster's settings beside PostgreSQL's defaults. Durable: fsync and synchronous
 * commits stay on, as a production server runs (the test suite's throwaway settings turn
 * them off). Only max_connections is raised: two instances with 10 pooled connections and
 * a LISTEN connection each, plus the bench's own instance, fit in the default 100, but a
 * run must not fail for want of a slot.
 */
export const POSTGRES_SETTINGS: Readonly<Record<string, string>> = { max_connections: '200' };

/** The settings the report states, as the running server reports them. */
const REPORTED_SETTINGS = [
  'shared_buffers',
  'synchronous_commit',
  'fsync',
  'full_page_writes',
  'wal_level',
  'wal_sync_method',
  'commit_delay',
  'max_connections',
  'max_wal_size',
  'checkpoint_timeout',
];

const DATABASE_NAME = 'plaza_bench';

/** The PostgreSQL cluster the bench started: what the report says about it. */
export interface PostgresInfo {
  readonly version: string;
  readonly host: string;
  readonly settings: Readonly<Record<string, string>>;
  /** The postmaster, whose children are the backends and the background processes (Linux only). */
  readonly postmasterPid: number | null;
}

interface RunningPostgres {
  readonly cluster: PostgresCluster;
  readonly databaseUrl: string;
  readonly info: PostgresInfo;
  readonly forget: () => void;
}

/**
 * Fresh, empty databases for the cases: a new SQLite file in the bench's temporary folder,
 * or a new schema in one database of a private PostgreSQL cluster, started on first use
 * (127.0.0.1, a free port, a temporary folder) and stopped by `stop()` or when the bench
 * exits, however it exits.
 *
 * @example const url = await databases.fresh('postgres', 'like_x2') // postgres://…?schema=like_x2
 */
export class BenchDatabases {
  readonly #dir: string;
  #postgres: Promise<RunningPostgres> | undefined;
  #started: RunningPostgres | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** A `DATABASE_URL` for an empty database named after `name` (letters, digits, `_`, `-`). */
  async fresh(kind: DatabaseKind, name: string): Promise<string> {
    if (kind === 'sqlite') return `sqlite:${join(this.#dir, `${name}.sqlite`)}`;
    const { databaseUrl } = await this.#startPostgres();
    // Plaza creates its schema when it is missing: a new schema is a new, empty database.
    return `${databaseUrl}?schema=${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  }

  /** The cluster, when one was started. */
  get postgres(): PostgresInfo | undefined {
    return this.#started?.info;
  }

  /** PostgreSQL's CPU so far (all its processes), or undefined for SQLite (inside Plaza). */
  cpuOf(kind: DatabaseKind): (() => Promise<CpuSnapshot>) | undefined {
    const started = this.#started;
    const pid = started?.info.postmasterPid ?? null;
    if (kind === 'sqlite' || pid === null) return undefined;
    return () => cpuOfProcessTree(pid);
  }

  /** Stops the cluster and deletes it, if one was started. Synchronous; safe to call twice. */
  stop(): void {
    const started = this.#started;
    this.#started = undefined;
    if (started === undefined) return;
    started.cluster.stop();
    started.forget();
  }

  #startPostgres(): Promise<RunningPostgres> {
    this.#postgres ??= (async () => {
      const cluster = await startPostgresCluster({
        settings: POSTGRES_SETTINGS,
        log: (line) => console.log(`  [postgres] ${line}`),
      });
      const forget = onExit(() => cluster.stop());
      try {
        const databaseUrl = await cluster.createDatabase(DATABASE_NAME);
        const info = await describe(cluster, databaseUrl);
        this.#started = { cluster, databaseUrl, info, forget };
        console.log(
          `  PostgreSQL ${info.version} on ${info.host}: ` +
            Object.entries(info.settings)
              .map(([name, value]) => `${name}=${value}`)
              .join(', '),
        );
        return this.#started;
      } catch (error) {
        cluster.stop();
        forget();
        throw error;
      }
    })();
    return this.#postgres;
  }
}

async function describe(cluster: PostgresCluster, databaseUrl: string): Promise<PostgresInfo> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; value: string }>(
      'select name, current_setting(name) as value from unnest($1::text[]) as name',
      [REPORTED_SETTINGS],
    );
    const backend = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const backendPid = backend.rows[0]?.pid;
    const postmasterPid = backendPid === undefined ? undefined : await parentOf(backendPid);
    return {
      version: cluster.version,
      host: `127.0.0.1:${cluster.port}`,
      settings: Object.fromEntries(rows.map((row) => [row.name, row.value])),
      postmasterPid: postmasterPid ?? null,
    };
  } finally {
    await client.end();
  }
}
