// The PostgreSQL suite (`npm run test:pg`): every test of `npm test` that is not about
// SQLite itself, plus the scale-out tests, which need several processes on one PostgreSQL.
import { readFileSync } from 'node:fs';

const base = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).ava;

/** Tests of what only SQLite has: its locks, its statement cache, a key file beside it. */
export const SQLITE_ONLY = [
  'packages/core/dist/adapters/db/statementCache.test.js',
  'test/dist/hardening/durabilityBusy.test.js',
];

export default {
  ...base,
  files: [
    ...base.files.filter((pattern) => !pattern.includes('scaleout')),
    'test/dist/scaleout/**/*.test.js',
    ...SQLITE_ONLY.map((file) => `!${file}`),
  ],
};
