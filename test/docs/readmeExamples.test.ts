import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { freePort, freshDatabaseUrl } from '@plaza/testkit';
import { startLoopbackPlaza } from '../sdk/support/loopbackPlaza.js';
import { runNodeScript, type ScriptRun } from '../support/nodeScript.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The first code block of `language` after `heading` in a Markdown file of the repository. */
function codeBlockAfter(file: string, heading: string, language: string): string {
  const markdown = readFileSync(join(ROOT, file), 'utf8');
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${file} has no heading "${heading}"`);
  const block = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```').exec(markdown.slice(start));
  if (block?.[1] === undefined)
    throw new Error(`${file} has no ${language} block after ${heading}`);
  return block[1];
}

/** Writes `source` inside the repository, so its `@plaza/*` imports resolve as for a user. */
function runModule(t: ExecutionContext, source: string, env: Record<string, string>): ScriptRun {
  const snippets = join(ROOT, 'test', 'dist', 'docs', 'snippets');
  mkdirSync(snippets, { recursive: true });
  const folder = mkdtempSync(join(snippets, 'run-'));
  t.teardown(() => rmSync(folder, { recursive: true, force: true }));
  const file = join(folder, 'example.mjs');
  writeFileSync(file, source);
  return runNodeScript(t, file, { cwd: folder, env });
}

test('the client SDK README example runs as printed and sees every event it listens for', async (t) => {
  const server = await startLoopbackPlaza({
    databaseUrl: freshDatabaseUrl(),
    plaza: { providers: 'fake' },
  });
  t.teardown(() => server.stop());
  const example = codeBlockAfter('packages/client-sdk/README.md', '## Example', 'js');

  const { code, stdout, stderr } = await runModule(t, example, { PLAZA_URL: server.url }).exited;

  t.is(code, 0, stderr);
  t.regex(stdout, /^live as user \d+$/m);
  t.regex(stdout, /^profile: London$/m, 'the enrichment event the example waits for arrives');
  t.regex(stdout, /^user \d+ liked post \d+: 1 like\(s\)$/m);
});

test('the core README example runs as printed and prints what it says it prints', async (t) => {
  const example = codeBlockAfter('packages/core/README.md', '## Example', 'js');
  const printed = codeBlockAfter('packages/core/README.md', 'It prints:', 'text');

  const { code, stdout, stderr } = await runModule(t, example, {}).exited;

  t.is(code, 0, stderr);
  t.is(stdout.trim(), printed.trim());
});

test('the server README example runs as printed: the domain API, then the HTTP contract', async (t) => {
  const example = codeBlockAfter('packages/server-koa/README.md', '## Example', 'js');
  const port = await freePort();

  const run = runModule(t, example, { PORT: String(port) });
  const [line] = await run.printed(/^\{.*"msg":"listening".*\}$/m);
  const { url, post_id: postId } = JSON.parse(line) as { url: string; post_id: number };
  t.is(url, `http://127.0.0.1:${port}`);

  const read = await fetch(`${url}/post/read?post_id=${postId}`);
  t.like(await read.json(), { code: 'OK', data: { post_id: postId, title: 'Hi', likes: 0 } });

  run.stop();
  const { code, stderr } = await run.exited;
  t.is(code, 0, stderr);
});

test('every relative link of the READMEs and docs/ leads to a file that exists', (t) => {
  const documents = [
    'README.md',
    'SECURITY.md',
    'packages/core/README.md',
    'packages/server-koa/README.md',
    'packages/client-sdk/README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
  const broken: string[] = [];
  for (const document of documents) {
    const markdown = readFileSync(join(ROOT, document), 'utf8');
    for (const [, target = ''] of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
      const path = target.split('#', 1)[0] ?? '';
      if (!existsSync(join(ROOT, dirname(document), path))) broken.push(`${document} → ${target}`);
    }
  }
  t.deepEqual(broken, []);
});
