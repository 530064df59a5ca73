import type { Context } from 'koa';
import test from 'ava';
import { isPlazaError } from '@plaza/core';
import { protocolChecks } from './protocolChecks.js';

function fakeContext(httpVersion: string, headers: Record<string, string>): Context {
  return { req: { httpVersion, headers } } as unknown as Context;
}

const check = protocolChecks();
const passed = async (ctx: Context): Promise<boolean> => {
  let called = false;
  await check(ctx, () => {
    called = true;
    return Promise.resolve();
  });
  return called;
};

test('an HTTP/1.1 request without Host is refused with USR_02; HTTP/1.0 may omit it', async (t) => {
  const error = await t.throwsAsync(passed(fakeContext('1.1', {})));
  t.true(isPlazaError(error));
  t.like(error, { code: 'USR_02', message: 'The request has no Host header.' });
  t.true(await passed(fakeContext('1.0', {})));
  t.true(await passed(fakeContext('1.1', { host: 'example.com' })));
});

test('an Expect other than 100-continue gets 417 in the error format', async (t) => {
  const refused = fakeContext('1.1', { host: 'x', expect: 'tea' });
  t.false(await passed(refused));
  t.is(refused.status, 417);
  t.deepEqual(refused.body, { code: 'USR_02', message: 'The Expect header cannot be met.' });
  t.true(await passed(fakeContext('1.1', { host: 'x', expect: '100-Continue' })));
});
