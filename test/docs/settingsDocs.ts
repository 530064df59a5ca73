import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { defaultOf, defaultValueText, describeSetting, type Setting } from '@plaza/core/host';
import { SERVER_SETTINGS } from '@plaza/server-koa';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const ENV_EXAMPLE = '.env.example';

/** The files that may hold the configuration table; the one with the markers does. */
export const TABLE_FILES = ['docs/configuration.md', 'README.md'] as const;

export const TABLE_START =
  '<!-- settings table: made by `npm run docs:settings` from the settings declaration; edit that, not this -->';
export const TABLE_END = '<!-- end of the settings table -->';

/** Settings in runs of one group each, in the declaration's order. */
function byGroup(settings: readonly Setting[]): Setting[][] {
  const groups: Setting[][] = [];
  for (const setting of settings) {
    const last = groups.at(-1);
    if (last?.[0]?.group === setting.group) last.push(setting);
    else groups.push([setting]);
  }
  return groups;
}

const cell = (markdown: string): string => markdown.replaceAll('|', '\\|');

/** The configuration table in Markdown, one table per group, as prettier prints it. */
export async function settingsTable(
  settings: readonly Setting[] = SERVER_SETTINGS,
): Promise<string> {
  const sections = byGroup(settings).map((group) => {
    const rows = group.map(
      (setting) =>
        `| \`${setting.key}\` | ${cell(defaultOf(setting))} | ${cell(setting.kind.accepts)} | ${cell(setting.meaning)} |`,
    );
    return [
      `**${group[0]?.group ?? ''}**`,
      '',
      '| key | default | takes | meaning |',
      '| --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
  });
  const options = await resolveConfig(join(ROOT, 'README.md'));
  return format(sections.join('\n\n'), { ...options, parser: 'markdown' });
}

/** `.env.example`: every key, commented out, with its meaning, what it takes and its default. */
export function envExample(settings: readonly Setting[] = SERVER_SETTINGS): string {
  const header = [
    '# plaza-server settings. Copy this file to .env in the folder the server runs in and',
    '# uncomment what you change; every key has a working default. The environment wins over',
    '# .env, which wins over a --config file. `plaza-server --help` prints the same list.',
    '#',
    '# Made by `npm run docs:settings` from the settings declaration',
    '# (packages/server-koa/src/serverSettings.ts, packages/core/src/plazaSettings.ts);',
    '# edit that, not this file.',
  ].join('\n');
  const sections = byGroup(settings).map((group) => {
    const entries = group.map((setting) => {
      const description = describeSetting(setting);
      const takes = description.accepts === '' ? '' : `takes ${description.accepts}; `;
      // A default that depends on other keys (defaultText) is not one value to uncomment.
      const plainDefault = setting.secret !== true && setting.defaultText === undefined;
      const example = plainDefault ? (defaultValueText(setting) ?? '') : '';
      return [
        `# ${description.meaning}`,
        `# ${takes}default: ${description.default}`,
        `#${setting.key}=${example}`,
      ].join('\n');
    });
    return [`# ---- ${group[0]?.group ?? ''} ----`, ...entries].join('\n\n');
  });
  return `${header}\n\n${sections.join('\n\n')}\n`;
}

/** The file holding the table's markers, its text, and the table as committed there. */
export function committedTable(): { file: string; text: string; table: string } {
  for (const file of TABLE_FILES) {
    let text: string;
    try {
      text = readFileSync(join(ROOT, file), 'utf8');
    } catch {
      continue;
    }
    const start = text.indexOf(TABLE_START);
    const end = text.indexOf(TABLE_END);
    if (start < 0) continue;
    if (end < start) throw new Error(`${file} has the settings table's start but not its end`);
    return { file, text, table: text.slice(start + TABLE_START.length, end).trim() + '\n' };
  }
  throw new Error(`none of ${TABLE_FILES.join(', ')} holds the settings table's markers`);
}

/** Every generated file as it should be: path (from the root) and text. */
export async function generatedFiles(): Promise<{ file: string; text: string }[]> {
  const { file, text } = committedTable();
  const start = text.indexOf(TABLE_START) + TABLE_START.length;
  const end = text.indexOf(TABLE_END);
  const table = await settingsTable();
  return [
    { file: ENV_EXAMPLE, text: envExample() },
    { file, text: `${text.slice(0, start)}\n\n${table}\n${text.slice(end)}` },
  ];
}
