import test from 'ava';
import { ConfigError } from '@plaza/core';
import { serverOptionsFromEnv } from './settings.js';

test('WebSocket limits come from WS_* keys; unset keys keep the defaults', (t) => {
  t.deepEqual(serverOptionsFromEnv({}).webSocket, {});
  t.deepEqual(
    serverOptionsFromEnv({
      WS_AUTH_TIMEOUT_MS: '2000',
      WS_PING_INTERVAL_MS: '15000',
      WS_MAX_BUFFERED_BYTES: '65536',
      WS_MAX_SOCKETS_PER_USER: '4',
    }).webSocket,
    { authTimeoutMs: 2000, pingIntervalMs: 15000, maxBufferedBytes: 65536, maxSocketsPerUser: 4 },
  );
});

test('a WebSocket limit that cannot work names its key', (t) => {
  const error = t.throws(() => serverOptionsFromEnv({ WS_MAX_SOCKETS_PER_USER: '0' }), {
    instanceOf: ConfigError,
  });
  t.regex(error.message, /WS_MAX_SOCKETS_PER_USER/);
});
