import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles, ROOT } from './settingsDocs.js';

// `npm run docs:settings`: writes .env.example and the configuration table from the settings
// declaration. test/docs/settingsDocs.test.ts fails while they differ.
for (const { file, text } of await generatedFiles()) {
  const path = join(ROOT, file);
  const before = readFileSync(path, { encoding: 'utf8', flag: 'a+' });
  if (before === text) {
    console.log(`${file}: up to date`);
  } else {
    writeFileSync(path, text);
    console.log(`${file}: written`);
  }
}
