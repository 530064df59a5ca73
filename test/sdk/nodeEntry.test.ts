import test from 'ava';
import { WebSocket } from 'ws';
import * as sdk from '@plaza/client-sdk';
import { startInProcessTarget } from '../support/apiTarget.js';
import { signedUpClient } from './support/clients.js';

/**
 * Node 20 has no global WebSocket: the package's `node` export condition gives a client that
 * uses `ws`; the universal entry (what browsers and bundlers get) asks for one instead.
 */

type ClientSdk = typeof sdk;

const nodeEntry = import.meta.resolve('@plaza/client-sdk');
const universalEntry = new URL('./index.js', nodeEntry).href;
const hasGlobalWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket !== undefined;

test('in Node the package resolves to its node entry, which re-exports the universal one', async (t) => {
  t.regex(nodeEntry, /\/client-sdk\/dist\/node\.js$/);
  const universal = (await import(universalEntry)) as ClientSdk;
  t.deepEqual(Object.keys(sdk).sort(), Object.keys(universal).sort());
  t.is(sdk.PlazaApiError, universal.PlazaApiError, 'one error class, so instanceof works across');
  t.not(sdk.createClient, universal.createClient);
});

test('without a WebSocket option the node entry connects with ws', async (t) => {
  if (process.versions.node.startsWith('20.')) t.false(hasGlobalWebSocket, 'Node 20 has none');
  const target = await startInProcessTarget();
  t.teardown(() => target.close());
  const { client, session } = await signedUpClient(t, target.baseUrl);
  const ready = new Promise<number>((resolve) =>
    client.events.on('ready', (event) => resolve(event.user_id)),
  );
  await client.events.connect();
  t.is(await ready, session.user_id);
  t.is(client.events.state, 'open');
});

// Only where there is no global WebSocket (Node 20), which is the case it is about.
(hasGlobalWebSocket ? test.skip : test)(
  'the universal entry needs a WebSocket where Node has none, and works with ws passed in',
  async (t) => {
    const universal = (await import(universalEntry)) as ClientSdk;
    const target = await startInProcessTarget();
    t.teardown(() => target.close());
    const { session } = await signedUpClient(t, target.baseUrl);

    const without = universal.createClient(target.baseUrl, { token: session.token });
    t.teardown(() => without.events.close());
    const error = await t.throwsAsync(without.events.connect(), { instanceOf: TypeError });
    t.regex(error.message, /WebSocket/);

    const withWs = universal.createClient(target.baseUrl, { token: session.token, WebSocket });
    t.teardown(() => withWs.events.close());
    await withWs.events.connect();
    t.is(withWs.events.state, 'open');
    t.is((await withWs.users.me()).user_id, session.user_id);
  },
);
