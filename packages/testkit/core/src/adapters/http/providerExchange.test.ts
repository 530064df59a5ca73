import test from 'ava';

import { ConfigError } from '../../errors.js';
import {
  describeNetworkError,
  exchangeWithProvider,
  positiveMs,
  providerBaseUrl,
  redact,
  requiredKey,
} from './providerExchange.js';

test('describeNetworkError keeps names and codes, never messages', (t) => {
  const error = new TypeError('fetch failed for https://x.test/?api_key=SECRET', {
    cause: Object.assign(new Error('connect ECONNREFUSED SECRET'), { code: 'ECONNREFUSED' }),
  });
  t.is(describeNetworkError(error), 'TypeError ECONNREFUSED');
  t.is(describeNetworkError('SECRET'), 'Error');
  t.is(describeNetworkError({ code: 'secret lower case' }), 'Error');
});

test('redact removes the plain and the URL-encoded secret', (t) => {
  t.is(redact('a=k+y/1&b=k%2By%2F1', 'k+y/1'), 'a=[REDACTED]&b=[REDACTED]');
});

test('configuration checks throw ConfigError without quoting the key', (t) => {
  t.throws(() => requiredKey('X', ''), { instanceOf: ConfigError });
  t.throws(() => requiredKey('X', undefined), { instanceOf: ConfigError });
  t.is(requiredKey('X', 'k'), 'k');
  t.throws(() => providerBaseUrl('X', 'ftp://example.com'), { instanceOf: ConfigError });
  t.throws(() => providerBaseUrl('X', 'nope'), { instanceOf: ConfigError });
  t.is(providerBaseUrl('X', 'http://127.0.0.1:1/a//'), 'http://127.0.0.1:1/a');
  t.throws(() => positiveMs('X', 'timeoutMs', 0), { instanceOf: ConfigError });
  t.throws(() => positiveMs('X', 'timeoutMs', Number.NaN), { instanceOf: ConfigError });
});

test('the deadline holds even when an injected fetch ignores the abort signal', async (t) => {
  const started = Date.now();
  const exchange = await exchangeWithProvider({
    url: 'http://127.0.0.1:1/',
    headers: {},
    timeoutMs: 50,
    fetch: () => new Promise<Response>(() => undefined),
  });
  t.deepEqual(exchange, { kind: 'timeout' });
  // Without the deadline it would never settle; the bound leaves room for a saturated machine.
  t.true(Date.now() - started < 10_000);
});
