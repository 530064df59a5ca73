import test from 'ava';
import { resolveRateLimits, TokenBuckets } from './rateLimit.js';

const clock = () => {
  let now = 1_000_000;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
};

test('a bucket lets a minute’s worth through at once, then one per refill interval', (t) => {
  const time = clock();
  const buckets = new TokenBuckets(6, { now: time.now });
  for (let i = 0; i < 6; i += 1) t.is(buckets.take('a'), 0);
  t.is(buckets.take('a'), 10, 'six a minute: the next token in 10 s');
  time.advance(4_000);
  t.is(buckets.take('a'), 6);
  time.advance(6_000);
  t.is(buckets.take('a'), 0);
  t.is(buckets.take('a'), 10);
  t.is(buckets.take('b'), 0, 'another key has its own bucket');
});

test('a bucket never holds more than a minute’s worth', (t) => {
  const time = clock();
  const buckets = new TokenBuckets(3, { now: time.now });
  buckets.take('a');
  time.advance(3_600_000);
  for (let i = 0; i < 3; i += 1) t.is(buckets.take('a'), 0);
  t.is(buckets.take('a'), 20);
});

test('the retry delay is at least one second', (t) => {
  const time = clock();
  const buckets = new TokenBuckets(600, { now: time.now });
  for (let i = 0; i < 600; i += 1) buckets.take('a');
  t.is(buckets.take('a'), 1);
});

test('idle buckets are dropped, and the number of buckets stays under its cap', (t) => {
  const time = clock();
  const buckets = new TokenBuckets(10, { now: time.now, maxBuckets: 100 });
  for (let i = 0; i < 50; i += 1) buckets.take(`idle${i}`);
  time.advance(30_000);
  buckets.take('busy');
  t.is(buckets.size, 51);
  time.advance(30_000);
  buckets.take('busy');
  t.is(buckets.size, 1, 'a minute without a request: full again, so forgotten');

  for (let i = 0; i < 1000; i += 1) buckets.take(`spray${i}`);
  t.true(buckets.size <= 100, String(buckets.size));
});

test('resolveRateLimits fills in the defaults and refuses what cannot work', (t) => {
  t.deepEqual(resolveRateLimits(), {
    signUpsPerIpPerMinute: 20,
    writesPerUserPerMinute: 600,
    writesPerIpPerMinute: 1200,
    limitLoopback: false,
  });
  t.is(resolveRateLimits({ writesPerIpPerMinute: 0 }).writesPerIpPerMinute, 0);
  t.throws(() => resolveRateLimits({ signUpsPerIpPerMinute: -1 }), { message: /signUpsPerIp/ });
  t.throws(() => resolveRateLimits({ writesPerUserPerMinute: 0.5 }), {
    message: /writesPerUser/,
  });
});
