import test from 'ava';
import { resolveRateLimits } from './rateLimit.js';

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
