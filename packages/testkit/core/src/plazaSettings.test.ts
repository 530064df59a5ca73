import test from 'ava';
import { PLAZA_SETTING, PLAZA_SETTINGS, plazaOptionsFromEnv } from './plazaSettings.js';
import { readSetting } from './setting.js';
import { keysReadBy } from '@plaza/testkit';

test('the settings table lists exactly the keys plazaOptionsFromEnv reads', (t) => {
  const read = keysReadBy(plazaOptionsFromEnv);
  t.true(read.has('DATABASE_URL'));
  t.deepEqual(PLAZA_SETTINGS.map((setting) => setting.key).sort(), [...read].sort());
});

test('every declared default is a value its own key takes, and reads back as itself', (t) => {
  for (const setting of PLAZA_SETTINGS.filter((entry) => entry.default !== undefined)) {
    t.deepEqual(readSetting({ [setting.key]: String(setting.default) }, setting), setting.default);
  }
});

test('a key set to blanks is unset; its text is trimmed', (t) => {
  t.is(readSetting({ JWT_TTL: '   ' }, PLAZA_SETTING.JWT_TTL), undefined);
  t.is(readSetting({ JWT_TTL: ' 600 ' }, PLAZA_SETTING.JWT_TTL), 600);
  t.is(readSetting({ HUNTER_FAIL_OPEN: ' ON ' }, PLAZA_SETTING.HUNTER_FAIL_OPEN), true);
});
