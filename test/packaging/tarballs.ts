/**
 * The packages as a user installs them: `npm pack` each published workspace, install the
 * tarballs into new empty projects outside the repository, and there
 *  (a) embed createPlaza + createServer and sign up and like a post through the client SDK,
 *  (b) compile a strict TypeScript consumer against the shipped types (skipLibCheck: false),
 *  (c) run `npx plaza-server --help`,
 *  (d) in a project with @plaza/core alone (no database driver), get the one-line
 *      missing-driver message for a PostgreSQL and for a SQLite URL.
 * Every tarball must hold LICENSE, README.md and package.json, and every source map the
 * sources it names. Prints what each step did; exits 1 if any check failed.
 *
 * Run with `npm run test:packages`. Each package's `prepack` builds it from an empty dist, so no
 * output of a deleted source is shipped. Uses the npm cache; no registry writes.
 * Only createPlaza, createServer and createClient are named from the packages' roots.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PUBLISHED = ['packages/core', 'packages/server-koa', 'packages/client-sdk'] as const;
/** Ceiling for one command (a cold sqlite3 compile on a saturated machine included). */
const COMMAND_LIMIT_MS = 15 * 60_000;

interface Run {
  readonly code: number | null;
  /** stdout and stderr as they came. */
  readonly output: string;
  readonly stdout: string;
  readonly ms: number;
}

function run(command: string, args: readonly string[], cwd: string, env = {}): Promise<Run> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_LIMIT_MS);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, output, stdout, ms: performance.now() - started });
    });
  });
}

const failures: string[] = [];
function check(ok: boolean, what: string, detail = ''): void {
  console.log(`${ok ? 'ok ' : 'NOT OK'}  ${what}`);
  if (!ok) {
    failures.push(what);
    if (detail !== '') console.log(indent(detail));
  }
}
const indent = (text: string): string =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `    | ${line}`)
    .join('\n');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)));
}

/** LICENSE, README and every source map's sources inside the unpacked tarball. */
function checkTarballContents(name: string, unpacked: string): void {
  const files = filesUnder(unpacked);
  for (const required of ['LICENSE', 'README.md', 'package.json']) {
    check(files.includes(required), `${name}: the tarball holds ${required}`);
  }
  const tests = files.filter((file) => /\.test\.[cm]?[jt]s/.test(file));
  check(tests.length === 0, `${name}: the tarball holds no tests`, tests.join('\n'));
  const missing: string[] = [];
  const maps = files.filter((file) => file.endsWith('.map'));
  for (const map of maps) {
    const { sources = [], sourceRoot = '' } = JSON.parse(
      readFileSync(join(unpacked, map), 'utf8'),
    ) as { sources?: string[]; sourceRoot?: string };
    for (const source of sources) {
      const path = resolve(dirname(join(unpacked, map)), sourceRoot, source);
      if (!existsSync(path)) missing.push(`${map} → ${relative(unpacked, path)}`);
    }
  }
  check(
    missing.length === 0,
    `${name}: every source map's sources are in the tarball (${maps.length} maps)`,
    `${missing.length} missing, e.g.\n${missing.slice(0, 5).join('\n')}`,
  );
}

const EMBED_PROGRAM = `
import { createServer as createHttpServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createPlaza } from '@plaza/core';
import { createServer } from '@plaza/server-koa';
import { createClient } from '@plaza/client-sdk';

const plaza = await createPlaza({ databaseUrl: 'sqlite::memory:' });
const { app, attach, close } = createServer(plaza);
const server = createHttpServer(app.callback());
attach(server);
await new Promise((listening) => server.listen(0, '127.0.0.1', listening));
const url = 'http://127.0.0.1:' + server.address().port;

const client = createClient(url);
const suffix = randomUUID().slice(0, 8);
const me = await client.auth.signup({
  username: 'ada_' + suffix,
  password: 'pw-' + randomUUID(),
  email: 'ada.' + suffix + '@example.com',
});
const { post_id } = await client.posts.create({ title: 'Hello', text: 'From the tarballs' });
await client.likes.like(post_id);
const post = await client.posts.get(post_id);
console.log(JSON.stringify({ user_id: me.user_id, post_id, likes: post.likes }));

client.events.close();
await close();
await new Promise((closed) => server.close(closed));
await plaza.close();
`;

const STRICT_CONSUMER = `
import * as core from '@plaza/core';
import * as server from '@plaza/server-koa';
import * as sdk from '@plaza/client-sdk';
import { createPlaza } from '@plaza/core';
import { createServer } from '@plaza/server-koa';
import { createClient } from '@plaza/client-sdk';

export async function start(): Promise<void> {
  const plaza = await createPlaza({ databaseUrl: 'sqlite::memory:' });
  const { app } = createServer(plaza);
  const client = createClient('http://127.0.0.1:8000');
  const { post_id }: { readonly post_id: number } = await client.posts.create({ title: 't', text: 'x' });
  console.log(app, post_id, Object.keys(core), Object.keys(server), Object.keys(sdk));
  await plaza.close();
}
`;

const STRICT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  },
  files: ['consumer.ts'],
};

const MISSING_DRIVER_PROGRAM = `
import { createPlaza } from '@plaza/core';
for (const databaseUrl of ['postgres://plaza:secret@127.0.0.1:1/plaza', 'sqlite::memory:']) {
  try {
    const plaza = await createPlaza({ databaseUrl });
    await plaza.close();
    console.log('started without a driver: ' + databaseUrl);
  } catch (error) {
    console.log(error instanceof Error ? error.message : String(error));
  }
}
`;

function writeProject(folder: string, dependencies: Record<string, string>): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module', dependencies }, null, 2),
  );
}

/** The version range the repository itself uses, so the install hits the npm cache. */
function dependencyVersion(
  folder: string,
  field: 'dependencies' | 'devDependencies',
  name: string,
): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  const version = manifest[field]?.[name];
  if (version === undefined) throw new Error(`${folder}/package.json has no ${field}.${name}`);
  return version;
}
const devVersion = (name: string): string => dependencyVersion('.', 'devDependencies', name);

async function main(): Promise<void> {
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'plaza-tarballs-'));
  const keep = process.argv.includes('--keep');
  console.log(`== packing into ${work}`);
  try {
    const tarballs = new Map<string, string>();
    for (const workspace of PUBLISHED) {
      const packed = await run(
        'npm',
        ['pack', '--json', '--pack-destination', work, '-w', workspace],
        ROOT,
      );
      if (packed.code !== 0) throw new Error(`npm pack ${workspace} failed:\n${packed.output}`);
      const [{ name, filename }] = JSON.parse(
        packed.stdout.slice(packed.stdout.search(/^\[\s*$/m)),
      ) as [{ name: string; filename: string }];
      tarballs.set(name, join(work, filename.replace(/^@/, '').replace('/', '-')));
      const unpacked = join(work, 'unpacked', name);
      mkdirSync(unpacked, { recursive: true });
      await run(
        'tar',
        ['-xzf', tarballs.get(name) ?? '', '-C', unpacked, '--strip-components=1'],
        work,
      );
      checkTarballContents(name, unpacked);
    }
    const spec = (name: string): string => `file:${tarballs.get(name) ?? ''}`;

    console.log('== installing the three tarballs, sqlite3, and typescript for the consumer');
    const app = join(work, 'app');
    writeProject(app, {
      '@plaza/core': spec('@plaza/core'),
      '@plaza/server-koa': spec('@plaza/server-koa'),
      '@plaza/client-sdk': spec('@plaza/client-sdk'),
      sqlite3: dependencyVersion('packages/server-koa', 'dependencies', 'sqlite3'),
      typescript: devVersion('typescript'),
      '@types/node': devVersion('@types/node'),
    });
    const install = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline'],
      app,
    );
    check(
      install.code === 0,
      `npm install of the tarballs (${seconds(install.ms)})`,
      install.output,
    );
    if (install.code !== 0) return;

    console.log('== (a) embedding createPlaza + createServer, driven by @plaza/client-sdk');
    writeFileSync(join(app, 'embed.mjs'), EMBED_PROGRAM);
    const embed = await run('node', ['embed.mjs'], app);
    const line = /^\{"user_id":\d+,"post_id":\d+,"likes":1\}$/m.exec(embed.output);
    check(embed.code === 0 && line !== null, 'sign up and like a post over HTTP', embed.output);
    if (line !== null) console.log(indent(line[0]));

    console.log('== (b) a strict TypeScript consumer (strict, skipLibCheck: false, NodeNext)');
    writeFileSync(join(app, 'consumer.ts'), STRICT_CONSUMER);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(STRICT_TSCONFIG, null, 2));
    const tsc = await run('npx', ['--no-install', 'tsc', '-p', '.'], app);
    console.log(
      indent(`tsc printed: ${tsc.output.trim() === '' ? '(nothing)' : '\n' + tsc.output}`),
    );
    check(tsc.code === 0, 'the strict consumer compiles against the shipped types');

    console.log('== (c) npx plaza-server --help');
    const help = await run('npx', ['--no-install', 'plaza-server', '--help'], app);
    check(
      help.code === 0 && help.output.includes('DATABASE_URL'),
      'plaza-server --help lists the settings',
      help.output,
    );

    console.log('== (d) @plaza/core alone, no database driver installed');
    const bare = join(work, 'core-only');
    writeProject(bare, { '@plaza/core': spec('@plaza/core') });
    const bareInstall = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline'],
      bare,
    );
    check(
      bareInstall.code === 0,
      `npm install of @plaza/core alone (${seconds(bareInstall.ms)})`,
      bareInstall.output,
    );
    for (const driver of ['sqlite3', 'pg']) {
      check(
        !existsSync(join(bare, 'node_modules', driver)),
        `installing @plaza/core alone installs no ${driver}`,
      );
    }
    writeFileSync(join(bare, 'missing.mjs'), MISSING_DRIVER_PROGRAM);
    const missing = await run('node', ['missing.mjs'], bare);
    check(
      /^DATABASE_URL is postgres:\/\/plaza:\*\*\*@127\.0\.0\.1:1\/plaza but the 'pg' package is not installed: npm install pg$/m.test(
        missing.output,
      ),
      "a PostgreSQL URL without 'pg' says so in one line",
      missing.output,
    );
    check(
      /^DATABASE_URL is sqlite::memory: but the 'sqlite3' package is not installed: npm install sqlite3$/m.test(
        missing.output,
      ),
      "a SQLite URL without 'sqlite3' says so in one line",
      missing.output,
    );
    if (failures.length === 0) console.log(indent(missing.output));

    console.log(
      `== install time ${seconds(install.ms)} (app) + ${seconds(bareInstall.ms)} (core alone); ` +
        `whole test ${seconds(performance.now() - started)}`,
    );
  } finally {
    if (keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

await main();
if (failures.length > 0) {
  console.log(`\n${failures.length} check(s) failed:\n${failures.map((f) => `- ${f}`).join('\n')}`);
  process.exitCode = 1;
}
