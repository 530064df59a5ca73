import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { TEST_JWT_SECRET } from '../support/apiTarget.js';
import { signUp, signUpFields } from '../support/builders.js';
import { eventually } from '../support/eventually.js';
import { runCli } from '../support/cliProcess.js';
import { Api, type ApiResponse } from '../support/http.js';

const env = (dir: string, extra: Record<string, string> = {}): Record<string, string> => ({
  PORT: '0',
  LOG_LEVEL: 'info',
  DATABASE_URL: `sqlite:${join(dir, 'plaza.sqlite')}`,
  PLAZA_PROVIDERS: 'fake',
  SCRYPT_LOG_N: '10',
  ...extra,
});

/** A small filesystem of its own, so that the disk can really fill (needs root). */
function mountSmallDisk(sizeMb: number): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], {
      stdio: 'ignore',
    });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

function unmount(dir: string): void {
  try {
    // Lazy: detached at once even while the killed server's files are still being closed.
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // Left for the system's temporary folder cleaning.
  }
}

/** Whether this process may mount a tmpfs (root, and a sandbox that allows it). */
const canMount = ((): boolean => {
  const probe = mountSmallDisk(1);
  if (probe === undefined) return false;
  unmount(probe);
  return true;
})();
// Without a real full disk the test says it was skipped rather than pretend.
const onFullDisk = canMount ? test : test.skip;

const refusedAsOverloaded = (response: ApiResponse): boolean =>
  response.status === 503 && response.body['code'] === 'OFF_01';

onFullDisk(
  'a full disk refuses writes with OFF_01 (never a 500), /healthz says the database cannot be written, and both recover once there is room',
  async (t) => {
    const dir = mountSmallDisk(4);
    if (dir === undefined) throw new Error('mounting a small tmpfs failed this time');
    t.teardown(() => unmount(dir));
    const cli = runCli([], { cwd: dir, env: env(dir, { JWT_SECRET: TEST_JWT_SECRET }) });
    t.teardown(() => {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    });
    const api = new Api(await cli.listening);
    const user = await signUp(api);
    // Leave a few hundred kilobytes free; the filler is what an operator would delete.
    const filler = join(dir, 'filler');
    const { bavail, bsize } = statfsSync(dir);
    writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 300_000)));

    const text = 'x'.repeat(50_000);
    const answers: ApiResponse[] = [];
    for (let index = 0; index < 200; index += 1) {
      const answer = await api.post(
        '/post/data',
        { title: `filling ${index}`, text },
        { token: user.token },
      );
      answers.push(answer);
      if (answer.status !== 200) break;
    }
    const refused = answers.at(-1) as ApiResponse;
    t.log(
      `${answers.length - 1} posts of 50 kB acknowledged before the disk filled; then ` +
        `${refused.status} ${refused.text}`,
    );
    t.true(refusedAsOverloaded(refused), `the write on a full disk got ${refused.text}`);
    t.false(
      answers.some((answer) => answer.status >= 500 && !refusedAsOverloaded(answer)),
      'no 500',
    );

    const health = await api.get('/healthz');
    t.is(health.status, 503);
    t.is(health.body['code'], 'OFF_01');
    t.regex(String(health.body['hint']), /cannot be written: the disk is full/);
    // Reads still work.
    t.is((await api.get('/post/list')).status, 200);

    unlinkSync(filler);
    await eventually('a healthy /healthz once there is room', async () =>
      (await api.get('/healthz')).status === 200 ? true : undefined,
    );
    const after = await api.post(
      '/post/data',
      { title: 'room again', text: 'short' },
      { token: user.token },
    );
    t.is(after.status, 200);
    t.is(await cli.stop(), 0);
  },
);

test('the database file deleted under a running server: writes are refused with OFF_01, /healthz fails saying why, and the restart on the empty database warns loudly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-deleted-db-'));
  // No JWT_SECRET: the server keeps a generated one beside the database, the evidence that
  // a database was there.
  const cli = runCli([], { cwd: dir, env: env(dir) });
  t.teardown(() => {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  });
  const api = new Api(await cli.listening);
  const user = await signUp(api);
  const before = await api.post(
    '/post/data',
    { title: 'before', text: 'kept' },
    { token: user.token },
  );
  t.is(before.status, 200);

  for (const suffix of ['', '-wal', '-shm']) {
    rmSync(join(dir, `plaza.sqlite${suffix}`), { force: true });
  }

  const post = await api.post(
    '/post/data',
    { title: 'after', text: 'lost?' },
    { token: user.token },
  );
  t.true(refusedAsOverloaded(post), `a post after the deletion got ${post.status} ${post.text}`);
  const like = await api.post('/post/like', { post_id: 1 }, { token: user.token });
  t.true(refusedAsOverloaded(like), `a like after the deletion got ${like.status} ${like.text}`);
  const signUpAfter = await api.post('/user/data', signUpFields());
  t.true(
    refusedAsOverloaded(signUpAfter),
    `a sign-up after the deletion got ${signUpAfter.status} ${signUpAfter.text}`,
  );
  const health = await api.get('/healthz');
  t.is(health.status, 503);
  t.regex(String(health.body['hint']), /deleted or replaced/);
  await cli.logged(/database file was deleted or replaced/);
  t.is(await cli.stop(), 0);

  const restarted = runCli([], { cwd: dir, env: env(dir) });
  t.teardown(() => {
    if (restarted.child.exitCode === null && restarted.child.signalCode === null) {
      restarted.child.kill('SIGKILL');
    }
  });
  await restarted.listening;
  await restarted.logged(/"level":40.*started on a new, empty database/);
  t.is(await restarted.stop(), 0);
});

test('a first start on an empty data folder does not warn', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-first-start-'));
  const cli = runCli([], { cwd: dir, env: env(dir) });
  t.teardown(() => {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  });
  await cli.listening;
  t.is(await cli.stop(), 0);
  const second = runCli([], { cwd: dir, env: env(dir) });
  await second.listening;
  t.is(await second.stop(), 0);
  t.notRegex(cli.stdout() + second.stdout(), /empty database/);
});
