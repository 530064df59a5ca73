import test from 'ava';
import { plazaOptionsFromEnv } from './plazaSettings.js';
import { PLAZA_SETTINGS } from './plazaSettings.js';
import { keysReadBy } from './testing/keysReadBy.js';

test('the settings table lists exactly the keys plazaOptionsFromEnv reads', (t) => {
  const read = keysReadBy(plazaOptionsFromEnv);
  t.true(read.has('DATABASE_URL'));
  t.deepEqual(PLAZA_SETTINGS.map((setting) => setting.key).sort(), [...read].sort());
});
