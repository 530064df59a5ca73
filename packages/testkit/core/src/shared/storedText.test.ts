import test from 'ava';
import { textProblem } from './storedText.js';

test('controls are refused in every shape; tab and line breaks only outside multi-line text', (t) => {
  for (const char of ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009b']) {
    for (const shape of ['identifier', 'line', 'multiline'] as const) {
      t.is(textProblem(`a${char}b`, shape), 'control', `${shape} U+${char.charCodeAt(0)}`);
    }
  }
  for (const char of ['\t', '\n', '\r']) {
    t.is(textProblem(`a${char}b`, 'identifier'), 'control');
    t.is(textProblem(`a${char}b`, 'line'), 'control');
    t.is(textProblem(`a${char}b`, 'multiline'), undefined);
  }
});

test('invisible and bidi characters are refused in every shape', (t) => {
  const hidden = [
    '\u00ad', // soft hyphen
    '\u061c',
    '\u115f', // Hangul choseong filler
    '\u180e',
    '\u200b',
    '\u200e',
    '\u200f',
    '\u202a',
    '\u202b',
    '\u202c',
    '\u202d',
    '\u202e',
    '\u2028',
    '\u2029',
    '\u2060',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
    '\u3164',
    '\ufeff',
    '\ufff9',
    '\ufdd0',
    '\ufffe',
    '\u{1fffe}',
    '\u{e0001}',
    '\u{e0041}',
    '\u{e0100}', // a variation selector after a letter
    '\ud800',
    '\udc00',
  ];
  for (const char of hidden) {
    for (const shape of ['identifier', 'line', 'multiline'] as const) {
      const label = `${shape} U+${char.codePointAt(0)?.toString(16)}`;
      t.is(textProblem(`a${char}b`, shape), 'invisible', label);
    }
  }
});

test('joiners are kept only where they join: emoji, and scripts shaped with them', (t) => {
  const kept = [
    '👩\u200d💻',
    '👨\u200d👩\u200d👧',
    '👍🏽\u200d🔥',
    '❤\ufe0f',
    '1\ufe0f\u20e3',
    '\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}',
    'می\u200cخواهم',
    'क्\u200dष',
    'क्\u200cष',
  ];
  for (const value of kept) {
    t.is(textProblem(value, 'line'), undefined, value);
    t.is(textProblem(value, 'multiline'), undefined, value);
    t.is(textProblem(value, 'identifier'), 'invisible', value);
  }
  const refused = [
    'a\u200db',
    'a\u200cb',
    '\u200d👩',
    '👩\u200d',
    '👩\u200d\u200d💻',
    'a\ufe0f',
    '\u{e0067}\u{e007f}',
    '\u{1f3f4}\u{e0067}', // no cancel tag
    'می\u200c',
  ];
  for (const value of refused) t.is(textProblem(value, 'line'), 'invisible', JSON.stringify(value));
});

test('ordinary text of any script passes', (t) => {
  for (const value of [
    'Ada Lovelace',
    'Zoë Ångström',
    '東京',
    'Москва',
    'مرحبا',
    '😀',
    '\u00a0x',
  ]) {
    t.is(textProblem(value, 'line'), undefined, value);
  }
});
