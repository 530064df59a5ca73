/**
 * What the bench's generated databases (the social cases', the analytics cases') share: SQL
 * helpers for generating rows, the key of a seed on Plaza's current schema, and a cache of
 * built files in the system's temporary folder, copied for each run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { createPlaza, InProcessEventBus } from '@plaza/core';
import { openDatabase, selectRows } from '@plaza/testkit';

export const SEED_CACHE_DIR = join(os.tmpdir(), 'plaza-bench-cache');

/** A recursive count from 1 to `count`, as a common table expression named `seq(n)`. */
export const sequence = (count: number): string =>
  `with recursive seq(n) as (select 1 union all select n + 1 from seq where n < ${count})`;

/** An ISO timestamp as Plaza writes them (`toISOString`), `secondsExpr` after the epoch. */
export const isoAt = (secondsExpr: string): string =>
  `strftime('%Y-%m-%dT%H:%M:%fZ', ${secondsExpr}, 'unixepoch')`;

/** A Plaza on a SQLite file, as the seeds use it: offline providers, no worker, no other instance. */
export const seedPlaza = (databaseUrl: string, jwtSecret: string, scryptLogN?: number) =>
  createPlaza({
    databaseUrl,
    jwtSecret,
    providers: 'fake',
    enrichment: { worker: false },
    eventBus: new InProcessEventBus(),
    ...(scryptLogN === undefined ? {} : { scrypt: { logN: scryptLogN } }),
  });

/**
 * What makes a cached file usable: `seed` (its version and sizes) and Plaza's schema after its
 * migrations, read from a scratch file in `dir`.
 */
export async function seedKey(
  dir: string,
  seed: Readonly<Record<string, unknown>>,
): Promise<string> {
  const file = join(dir, 'seed-schema.sqlite');
  const plaza = await seedPlaza(`sqlite:${file}`, randomBytes(48).toString('base64url'));
  await plaza.close();
  const db = openDatabase(`sqlite:${file}`);
  try {
    const schema = await selectRows<{ sql: string | null }>(
      db,
      'select sql from sqlite_master order by name',
    );
    return createHash('sha256')
      .update(JSON.stringify({ ...seed, schema }))
      .digest('hex')
      .slice(0, 16);
  } finally {
    await db.destroy();
    await rm(file, { force: true });
  }
}

const exists = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

export interface SeedFacts {
  readonly rows: Readonly<Record<string, number>>;
  readonly buildSeconds: number;
}

export interface CachedSeedOptions<Facts extends SeedFacts> {
  /** Where this run's copy goes. */
  readonly file: string;
  /** The cached file is `${prefix}${key}.sqlite`; other files with the prefix are removed. */
  readonly prefix: string;
  readonly key: string;
  /** What the database is, for the log: "the realistic database". */
  readonly what: string;
  /** Builds the database in `file` (which does not exist yet). */
  readonly build: () => Promise<Facts>;
  readonly log: (line: string) => void;
}

/**
 * The database in `options.file`: copied from a file built earlier for the same key, or built
 * now and kept (with what `build` said of it) for the next run.
 */
export async function cachedSeedDatabase<Facts extends SeedFacts>(
  options: CachedSeedOptions<Facts>,
): Promise<Facts & { readonly fromCache: boolean }> {
  const { file, prefix, key, what, log } = options;
  const cached = join(SEED_CACHE_DIR, `${prefix}${key}.sqlite`);
  const facts = `${cached}.json`;
  if ((await exists(cached)) && (await exists(facts))) {
    const copying = performance.now();
    await copyFile(cached, file);
    const seed = JSON.parse(await readFile(facts, 'utf8')) as Facts;
    log(
      `  ${what} (built earlier in ${seed.buildSeconds.toFixed(1)} s) ` +
        `copied from ${cached} in ${((performance.now() - copying) / 1000).toFixed(1)} s`,
    );
    return { ...seed, fromCache: true };
  }
  log(`  building ${what} (once; kept in ${SEED_CACHE_DIR})…`);
  const built = await options.build();
  log(
    `  built in ${built.buildSeconds.toFixed(1)} s: ` +
      Object.entries(built.rows)
        .map(([table, count]) => `${count.toLocaleString('en-US')} ${table}`)
        .join(', '),
  );
  try {
    await mkdir(SEED_CACHE_DIR, { recursive: true });
    // Files of other schemas or seeds of this kind are of no more use: hundreds of MB each.
    for (const name of await readdir(SEED_CACHE_DIR)) {
      if (name.startsWith(prefix) && !name.startsWith(`${prefix}${key}.`)) {
        await rm(join(SEED_CACHE_DIR, name), { force: true });
      }
    }
    const partial = `${cached}.${process.pid}.partial`;
    await copyFile(file, partial);
    await writeFile(facts, JSON.stringify(built));
    await rename(partial, cached);
  } catch (error) {
    log(`  (not cached: ${error instanceof Error ? error.message : String(error)})`);
  }
  return { ...built, fromCache: false };
}
