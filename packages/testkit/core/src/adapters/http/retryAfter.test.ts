import test from 'ava';

import { retryAfterMs } from './retryAfter.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

test('Retry-After in seconds', (t) => {
  t.is(retryAfterMs(new Headers({ 'retry-after': '30' }), NOW), 30_000);
  t.is(retryAfterMs(new Headers({ 'retry-after': '0' }), NOW), 0);
});

test('Retry-After as an HTTP date, relative to now and never negative', (t) => {
  t.is(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:01:30 GMT' }), NOW), 90_000);
  t.is(retryAfterMs(new Headers({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), NOW), 0);
});

test('X-RateLimit-Reset in epoch seconds, relative to now', (t) => {
  const reset = String(NOW / 1000 + 45);
  t.is(retryAfterMs(new Headers({ 'x-ratelimit-reset': reset }), NOW), 45_000);
  t.is(retryAfterMs(new Headers({ 'x-ratelimit-reset': String(NOW / 1000 - 5) }), NOW), 0);
});

test('a small X-RateLimit-Reset is taken as seconds to wait', (t) => {
  t.is(retryAfterMs(new Headers({ 'x-ratelimit-reset': '12' }), NOW), 12_000);
});

test('Retry-After wins over X-RateLimit-Reset', (t) => {
  const headers = new Headers({ 'retry-after': '5', 'x-ratelimit-reset': String(NOW / 1000 + 60) });
  t.is(retryAfterMs(headers, NOW), 5000);
});

test('an unusable Retry-After falls back to X-RateLimit-Reset', (t) => {
  const headers = new Headers({
    'retry-after': 'soon',
    'x-ratelimit-reset': String(NOW / 1000 + 7),
  });
  t.is(retryAfterMs(headers, NOW), 7000);
});

test('no usable header → undefined', (t) => {
  t.is(retryAfterMs(new Headers(), NOW), undefined);
  t.is(retryAfterMs(new Headers({ 'retry-after': '-3' }), NOW), undefined);
  t.is(retryAfterMs(new Headers({ 'x-ratelimit-reset': 'tomorrow' }), NOW), undefined);
  t.is(retryAfterMs(new Headers({ 'x-ratelimit-reset': '1.5' }), NOW), undefined);
});
