import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { BotUsageError } from './BotUsageError.js';
import { loadBotConfig, parseBotConfig } from './botConfig.js';

const VALID = `[numbers]
number_of_users = 10
max_posts_per_user = 5
max_likes_per_user = 0
`;

test('reads the three numbers of the original format', (t) => {
  t.deepEqual(parseBotConfig(VALID, 'config.ini'), {
    numberOfUsers: 10,
    maxPostsPerUser: 5,
    maxLikesPerUser: 0,
  });
});

test('accepts comments, spaces and other sections', (t) => {
  const text = `; demo\n[other]\nx = 1\n\n[numbers]\n  number_of_users=3 \nmax_posts_per_user = 2 ; two\nmax_likes_per_user = 1\n`;
  t.deepEqual(parseBotConfig(text, 'c.ini'), {
    numberOfUsers: 3,
    maxPostsPerUser: 2,
    maxLikesPerUser: 1,
  });
});

test('the shipped config.ini is valid', async (t) => {
  const config = await loadBotConfig(new URL('../config.ini', import.meta.url).pathname);
  t.true(config.numberOfUsers > 0);
});

const broken: readonly [string, string, RegExp][] = [
  ['no section', 'number_of_users = 1', /c\.ini has no \[numbers\] section/],
  [
    'a missing key',
    '[numbers]\nnumber_of_users = 1\nmax_posts_per_user = 1\n',
    /max_likes_per_user is missing/,
  ],
  [
    'a negative number',
    VALID.replace('= 10', '= -1'),
    /number_of_users must be a whole number >= 0; it is "-1"/,
  ],
  [
    'a fraction',
    VALID.replace('= 5', '= 2.5'),
    /max_posts_per_user must be a whole number >= 0; it is "2.5"/,
  ],
  [
    'a word',
    VALID.replace('= 0', '= many'),
    /max_likes_per_user must be a whole number >= 0; it is "many"/,
  ],
  [
    'an empty value',
    VALID.replace('= 10', '='),
    /number_of_users must be a whole number >= 0; it is ""/,
  ],
  [
    'a number too large',
    VALID.replace('= 10', '= 99999999999999999999'),
    /number_of_users must be a whole number/,
  ],
];

for (const [what, text, message] of broken) {
  test(`refuses ${what} with a message naming the key`, (t) => {
    const error = t.throws(() => parseBotConfig(text, 'c.ini'), { instanceOf: BotUsageError });
    t.regex(error.message, message);
  });
}

test('a missing file is a usage error naming the file', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'plaza-bot-')), 'nope.ini');
  const error = await t.throwsAsync(loadBotConfig(path), { instanceOf: BotUsageError });
  t.is(error.message, `Cannot read the bot config ${path}: no such file.`);
});

test('a file is read as INI', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'plaza-bot-')), 'c.ini');
  writeFileSync(path, VALID);
  t.is((await loadBotConfig(path)).numberOfUsers, 10);
});
