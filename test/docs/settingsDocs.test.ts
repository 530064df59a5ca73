import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadSettings, SERVER_SETTINGS } from '@plaza/server-koa';
import {
  committedTable,
  ENV_EXAMPLE,
  envExample,
  generatedFiles,
  ROOT,
  settingsTable,
} from './settingsDocs.js';

const FIX = 'run `npm run docs:settings` to write it from the settings declaration';

test('the committed configuration table is the one the declaration makes', async (t) => {
  const { file, table } = committedTable();
  t.is(table, await settingsTable(), `the table in ${file} differs: ${FIX}`);
});

test('the committed .env.example is the one the declaration makes', (t) => {
  t.is(
    readFileSync(join(ROOT, ENV_EXAMPLE), 'utf8'),
    envExample(),
    `${ENV_EXAMPLE} differs: ${FIX}`,
  );
});

test('npm run docs:settings would change nothing', async (t) => {
  for (const { file, text } of await generatedFiles()) {
    t.true(readFileSync(join(ROOT, file), 'utf8') === text, `${file} differs: ${FIX}`);
  }
});

test('a row edited in the declaration no longer matches the committed table', async (t) => {
  const edited = SERVER_SETTINGS.map((setting) =>
    setting.key === 'JWT_TTL' ? { ...setting, meaning: 'an edited meaning' } : setting,
  );
  t.not(await settingsTable(edited), committedTable().table);
  t.not(envExample(edited), readFileSync(join(ROOT, ENV_EXAMPLE), 'utf8'));
});

test('the table and .env.example have a row for every key', (t) => {
  const table = committedTable().table;
  const example = readFileSync(join(ROOT, ENV_EXAMPLE), 'utf8');
  for (const { key } of SERVER_SETTINGS) {
    t.true(table.includes(`| \`${key}\` `), `${key} in the table`);
    t.regex(example, new RegExp(`^#${key}=`, 'm'), `${key} in .env.example`);
  }
});

test('.env.example with every line uncommented is a .env the server takes, without a warning', (t) => {
  const example = readFileSync(join(ROOT, ENV_EXAMPLE), 'utf8');
  const uncommented = example.replace(/^#([A-Z][A-Z0-9_]*=)/gm, '$1');
  const dotenvFile = join(mkdtempSync(join(tmpdir(), 'plaza-env-example-')), '.env');
  writeFileSync(dotenvFile, uncommented);
  const warnings: string[] = [];
  const settings = loadSettings({ env: {}, dotenvFile, onWarning: (line) => warnings.push(line) });
  t.deepEqual(warnings, []);
  t.is(settings.port, 8000);
  t.is(settings.plaza.jwtTtlSeconds, 3600, 'the value shown is the default');
});
