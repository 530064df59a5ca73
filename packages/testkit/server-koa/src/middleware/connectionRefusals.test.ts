import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Context, Next } from 'koa';
import test from 'ava';
import { isPlazaError } from '@plaza/core';
import { connectionRefusals } from './connectionRefusals.js';

test('a request the connection limits refused gets OFF_01 before anything else runs; others pass', async (t) => {
  const refusedRequest = new IncomingMessage(new Socket());
  const refuse = connectionRefusals((request) => request === refusedRequest);
  let called = 0;
  const next: Next = () => {
    called += 1;
    return Promise.resolve();
  };
  const run = async (req: IncomingMessage): Promise<void> => {
    await refuse({ req } as unknown as Context, next);
  };

  const error = await t.throwsAsync(run(refusedRequest));
  t.true(isPlazaError(error));
  t.like(error, { code: 'OFF_01', message: 'Server overloaded, try again.' });
  t.is(called, 0);

  await run(new IncomingMessage(new Socket()));
  t.is(called, 1);
});
