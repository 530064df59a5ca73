import test from 'ava';

import { createKnex } from '../adapters/db/createKnex.js';
import type { DatabaseLocation } from '../config.js';
import { InProcessEventBus } from '../events/InProcessEventBus.js';
import { silentLogger } from '../logger.js';
import { chooseEventBus } from './chooseEventBus.js';

const IN_MEMORY: DatabaseLocation = { client: 'sqlite', filename: ':memory:' };

test('an event bus passed in is used as it is', async (t) => {
  const mine = new InProcessEventBus();
  const db = createKnex(IN_MEMORY, { busyTimeoutMs: 1000 });
  t.teardown(() => db.destroy());
  const bus = await chooseEventBus(db, undefined, { eventBus: mine }, silentLogger);
  t.is(bus, mine);
});

test('on SQLite, events stay in this process', async (t) => {
  const db = createKnex(IN_MEMORY, { busyTimeoutMs: 1000 });
  t.teardown(() => db.destroy());
  const bus = await chooseEventBus(db, undefined, {}, silentLogger);
  t.teardown(() => bus.close());
  t.true(bus instanceof InProcessEventBus);
});
