import test from 'ava';
import { nestsDeeperThan } from './bodyDepth.js';

const arrays = (levels: number): unknown =>
  JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

test('nestsDeeperThan counts objects and arrays, the value itself as level 1', (t) => {
  t.false(nestsDeeperThan('text', 0), 'a scalar has no depth');
  t.false(nestsDeeperThan(null, 0));
  t.false(nestsDeeperThan({}, 1));
  t.true(nestsDeeperThan({}, 0));
  t.false(nestsDeeperThan({ a: 1, b: 'x', c: null }, 1), 'scalar fields add no level');
  t.true(nestsDeeperThan({ a: [] }, 1));
  t.false(nestsDeeperThan({ a: [] }, 2));
  t.false(nestsDeeperThan(arrays(32), 32));
  t.true(nestsDeeperThan(arrays(33), 32));
});

test('nestsDeeperThan finds the one deep branch among shallow ones', (t) => {
  const wide = { a: [1, 2, { b: {} }], c: { d: [[], [[]]] }, e: 'x' };
  t.false(nestsDeeperThan(wide, 5));
  t.true(nestsDeeperThan(wide, 4), 'wide → c → d → [[]] → [] is five levels');
  t.false(nestsDeeperThan({ ...wide, f: [{ g: arrays(29) }] }, 32));
  t.true(nestsDeeperThan({ ...wide, f: [{ g: arrays(30) }] }, 32));
});

test('nestsDeeperThan takes a value nested 100,000 deep without overflowing the stack', (t) => {
  t.true(nestsDeeperThan(arrays(100_000), 32));
  t.false(nestsDeeperThan(arrays(100_000), 100_000));
});
