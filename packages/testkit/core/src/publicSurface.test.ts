import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import ts from 'typescript';

/** The compiled root entry point a consumer's `import '@plaza/core'` reaches. */
const ROOT_DECLARATIONS = join(dirname(fileURLToPath(import.meta.url)), 'index.d.ts');

/**
 * The root's runtime names, sorted. Adding one is a decision about what embedders may rely on:
 * plumbing for server-koa, bench and tests goes to `@plaza/core/host` instead.
 */
const ROOT_VALUES = [
  'ClearbitProfileEnricher',
  'ConfigError',
  'DatabaseUnavailable',
  'FakeEmailVerifier',
  'FakeProfileEnricher',
  'HunterEmailVerifier',
  'HunterPeopleEnricher',
  'InMemoryRateLimitStore',
  'InProcessEventBus',
  'PLAZA_EVENT_TYPES',
  'PlazaError',
  'SkippingEmailVerifier',
  'createPlaza',
  'isPlazaError',
  'migratePlaza',
  'sanitizeProfile',
  'silentLogger',
];

test('the root export is the embedding API, name for name', async (t) => {
  const root: object = await import('@plaza/core');
  t.deepEqual(Object.keys(root).sort(), ROOT_VALUES);
});

/**
 * Every declaration file the root's types lead to, following relative imports, and the
 * packages those files name.
 */
function packagesNamedFrom(entry: string): Map<string, string[]> {
  const named = new Map<string, string[]>();
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith('.')) {
        const target = resolve(dirname(file), fileName.replace(/\.js$/, '.d.ts'));
        pending.push(
          existsSync(target) ? target : join(target.replace(/\.d\.ts$/, ''), 'index.d.ts'),
        );
      } else {
        const where = relative(dirname(entry), file);
        named.set(fileName, [...(named.get(fileName) ?? []), where]);
      }
    }
  }
  return named;
}

/**
 * The only declarations of the root that may name knex: a host may hand Plaza its own knex
 * instance (`PlazaOptions.knex`) and run Plaza's migrations on it (`migratePlaza(knex)`).
 * Knex goes in, never out: nothing Plaza returns is typed with it.
 */
const MAY_TAKE_KNEX = new Set(['config.d.ts', join('adapters', 'db', 'migratePlaza.d.ts')]);

test('no database driver or ORM type is reachable from the root types, but a knex handed in', (t) => {
  const named = packagesNamedFrom(ROOT_DECLARATIONS);
  const leaks = [...named]
    .filter(([name]) => /^(knex|objection|pg|sqlite3)(\/|$)/.test(name))
    .map(
      ([name, files]) =>
        [name, files.filter((file) => !(name === 'knex' && MAY_TAKE_KNEX.has(file)))] as const,
    )
    .filter(([, files]) => files.length > 0)
    .map(([name, files]) => `${name} (in ${files.join(', ')})`);
  t.deepEqual(leaks, []);
});

/**
 * `pg` and `sqlite3` are optional peers that ship no types (`@types/pg` is not installed for a
 * consumer), so a declaration of the host subpath naming them breaks a strict consumer's
 * compile (TS7016): server-koa's types lead to the host's.
 */
test('the host subpath names neither pg nor sqlite3', (t) => {
  const host = join(dirname(ROOT_DECLARATIONS), 'host.d.ts');
  const untyped = [...packagesNamedFrom(host)]
    .filter(([name]) => /^(pg|sqlite3)(\/|$)/.test(name))
    .map(([name, files]) => `${name} (in ${files.join(', ')})`);
  t.deepEqual(untyped, []);
});
