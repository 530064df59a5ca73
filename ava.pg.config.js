// The PostgreSQL suite (`npm run test:pg`): every test of `npm test` that is not about
// SQLite itself, plus the scale-out tests, which need several processes on one PostgreSQL.
import { readFileSync } from 'node:fs';

const base = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).ava;

/**
 * Files whose every test is about what only SQLite has; they run in `npm test` only. Single
 * SQLite tests inside other files (its pragmas, the key file beside it, the bot's own
 * server) stay on SQLite in both suites.
 */
export const SQLITE_ONLY = [
  // The prepared-statement cache of the sqlite3 driver's connections.
  'packages/core/dist/adapters/db/statementCache.test.js',
  // Group commit: on SQLite writes that arrive together share a transaction; on PostgreSQL
  // each write runs on its own connection and the batcher stands aside.
  'packages/core/dist/adapters/db/WriteBatcher.test.js',
  // SQLite's file lock and busy timeout under another writer.
  'test/dist/hardening/durabilityBusy.test.js',
  // A SQLite file deleted under the server, a full disk under a SQLite file, and the guard
  // that notices the file gone.
  'test/dist/hardening/storageFaults.test.js',
  'packages/core/dist/adapters/db/DatabaseFileGuard.test.js',
];

export default {
  ...base,
  files: [
    ...base.files.filter((pattern) => !pattern.includes('scaleout')),
    'test/dist/scaleout/**/*.test.js',
    ...SQLITE_ONLY.map((file) => `!${file}`),
  ],
};
