import test from 'ava';
import { editDistance } from './editDistance.js';

test('counts insertions, deletions, substitutions and adjacent swaps as one edit each', (t) => {
  t.is(editDistance('PORT', 'PORT', 2), 0);
  t.is(editDistance('PROT', 'PORT', 2), 1);
  t.is(editDistance('POR', 'PORT', 2), 1);
  t.is(editDistance('PORTS', 'PORT', 2), 1);
  t.is(editDistance('PART', 'PORT', 2), 1);
  t.is(editDistance('HOME', 'HOST', 2), 2);
});

test('gives up past the limit, answering limit + 1', (t) => {
  t.is(editDistance('DATABASE_URL', 'PORT', 2), 3);
  t.is(editDistance('abcdef', 'uvwxyz', 1), 2);
});
