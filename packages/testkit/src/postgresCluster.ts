/**
 * A private PostgreSQL cluster for tests and benchmarks: Debian's server binaries, a data
 * folder in the temp dir, a free loopback port, trust authentication, removed on stop.
 * Installs Debian's `postgresql` package first when it is missing and we are root.
 */
import { execFileSync, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresCluster {
  /** `postgres://plaza@127.0.0.1:PORT/postgres`: the superuser on the maintenance database. */
  readonly adminUrl: string;
  readonly port: number;
  /** The server's version, as in `15.18`. */
  readonly version: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and deletes its folder. Safe to call twice. */
  stop(): void;
}

export interface PostgresClusterOptions {
  /** Server settings (`-c name=value`) beside the defaults below. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Progress lines (installing, starting); default: none. */
  readonly log?: (line: string) => void;
}

/**
 * Settings for a throwaway cluster: room for many test connections, and no waiting for the
 * disk (a crash loses the cluster, which is deleted anyway). Benchmarks pass their own.
 */
export const THROWAWAY_SETTINGS: Readonly<Record<string, string>> = {
  max_connections: '400',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
};

const SUPERUSER = 'plaza';

export async function startPostgresCluster(
  options: PostgresClusterOptions = {},
): Promise<PostgresCluster> {
  const log = options.log ?? (() => {});
  const bin = findServerBinaries() ?? installServer(log);
  const owner = unprivilegedOwner();
  const folder = mkdtempSync(join(tmpdir(), 'plaza-pg-'));
  const data = join(folder, 'data');
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    if (existsSync(join(data, 'postmaster.pid'))) {
      run(owner, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], {
        check: false,
      });
    }
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    if (owner !== undefined) chownSync(folder, owner.uid, owner.gid);
    run(owner, join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      SUPERUSER,
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    const port = await freePort();
    const settings = { ...options.settings, listen_addresses: '127.0.0.1', port: String(port) };
    const serverArgs = [
      `-k ${folder}`,
      ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
    ].join(' ');
    log(`starting PostgreSQL on 127.0.0.1:${port} in ${folder}`);
    run(owner, join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      join(folder, 'server.log'),
      '-o',
      serverArgs,
      '-w',
      '-t',
      '60',
      'start',
    ]);
    const adminUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
    const version = readFileSync(join(data, 'PG_VERSION'), 'utf8').trim();
    return {
      adminUrl,
      port,
      version: await serverVersion(adminUrl, version),
      async createDatabase(name) {
        await withClient(adminUrl, (client) =>
          client.query(`create database ${pg.escapeIdentifier(name)}`),
        );
        return `postgres://${SUPERUSER}@127.0.0.1:${port}/${name}`;
      },
      stop,
    };
  } catch (error) {
    const serverLog = join(folder, 'server.log');
    if (existsSync(serverLog)) log(readFileSync(serverLog, 'utf8'));
    stop();
    throw error;
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function serverVersion(adminUrl: string, fallback: string): Promise<string> {
  const result = await withClient(adminUrl, (client) =>
    client.query<{ server_version: string }>('show server_version'),
  );
  return result.rows[0]?.server_version.split(' ')[0] ?? fallback;
}

/** Debian keeps each major version's server in /usr/lib/postgresql/N/bin; the newest wins. */
function findServerBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

function installServer(log: (line: string) => void): string {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "PostgreSQL's server is not installed and this is not root: run `sudo apt-get install postgresql` (Debian, Ubuntu) and try again.",
    );
  }
  log("installing Debian's postgresql package");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], { stdio: 'inherit', env });
  const bin = findServerBinaries();
  if (bin === undefined) throw new Error('apt-get installed postgresql, but no initdb was found.');
  return bin;
}

interface Owner {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function unprivilegedOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const group = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (id.status === 0 && group.status === 0) {
      return { name, uid: Number(id.stdout.trim()), gid: Number(group.stdout.trim()) };
    }
  }
  throw new Error(
    'Running as root, and neither a postgres nor a nobody user exists to run PostgreSQL.',
  );
}

function run(
  owner: Owner | undefined,
  command: string,
  args: readonly string[],
  { check = true }: { check?: boolean } = {},
): void {
  const [file, argv] =
    owner === undefined ? [command, args] : ['runuser', ['-u', owner.name, '--', command, ...args]];
  const options: SpawnSyncOptions = { encoding: 'utf8', cwd: tmpdir() };
  const result = spawnSync(file, argv, options);
  if (check && result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${String(result.stdout)}${String(result.stderr)}`,
    );
  }
}

/** A port free now on 127.0.0.1 (another process could take it before ours does). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
