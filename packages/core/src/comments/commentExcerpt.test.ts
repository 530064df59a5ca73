import test from 'ava';
import { codePointLength } from '../shared/values.js';
import { commentExcerpt } from './commentExcerpt.js';

test('a text of at most 100 characters is its own excerpt', (t) => {
  t.is(commentExcerpt('Nice!'), 'Nice!');
  const hundred = '🙂'.repeat(100);
  t.is(commentExcerpt(hundred), hundred);
});

test('a longer one is cut to 99 characters and an ellipsis', (t) => {
  const excerpt = commentExcerpt('a'.repeat(150));
  t.is(excerpt, `${'a'.repeat(99)}…`);
  t.is(codePointLength(excerpt), 100);
});

test('the cut never splits an emoji sequence or a letter from its accent', (t) => {
  // 👩‍💻 is three code points; from the 98th on it does not fit, so it goes whole.
  t.is(commentExcerpt(`${'x'.repeat(97)}👩‍💻${'y'.repeat(10)}`), `${'x'.repeat(97)}…`);
  t.is(commentExcerpt(`${'x'.repeat(96)}👩‍💻${'y'.repeat(10)}`), `${'x'.repeat(96)}👩‍💻…`);
  // e + combining acute accent (2 code points) at the cut.
  t.is(commentExcerpt(`${'x'.repeat(98)}e\u0301${'y'.repeat(10)}`), `${'x'.repeat(98)}…`);
});
