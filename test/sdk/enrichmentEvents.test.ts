import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { FakeProfileEnricher, type PlazaEvents } from '@plaza/core';
import { FAILURE_REASONS } from '@plaza/core/host';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { uniqueUsername } from '../support/builders.js';
import { eventually } from '../support/eventually.js';
import { signedUpClient, type SignedUpClient } from './support/clients.js';
import { nextEvent } from './support/liveEvents.js';

/**
 * users.requestEnrichment() and its outcome as a live event, with core's offline fake
 * enricher: `nobody…@` is not found, anyone else is.
 */

interface Context {
  readonly target: InProcessTarget;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  t.context = {
    target: await startInProcessTarget({
      enrichment: { enricher: new FakeProfileEnricher({ delayMs: 5 }), pollIntervalMs: 20 },
    }),
  };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

type Outcome = 'enrichment.completed' | 'enrichment.failed';

/**
 * Signs up `email`'s user and waits until the job sign-up queued has been announced, so the
 * event the test then waits for can only come from its own request.
 */
async function signedUpAndSettled(
  t: ExecutionContext<Context>,
  email: string,
  outcome: Outcome,
): Promise<SignedUpClient> {
  const { plaza } = t.context.target;
  const announced: Array<PlazaEvents[Outcome]> = [];
  const stop = plaza.events.subscribe(outcome, (payload) => announced.push(payload));
  t.teardown(stop);
  const user = await signedUpClient(t, t.context.target.baseUrl, { email });
  await eventually(`the sign-up's ${outcome}`, () =>
    announced.some((payload) => payload.user_id === user.session.user_id) ? true : undefined,
  );
  stop();
  return user;
}

test('requestEnrichment, then enrichment.completed with the filled profile', async (t) => {
  const email = `ada.${uniqueUsername('lovelace')}@example.com`;
  const { client, session } = await signedUpAndSettled(t, email, 'enrichment.completed');
  await client.events.connect();
  const completed = nextEvent(client.events, 'enrichment.completed');

  await client.users.requestEnrichment();

  const event = await completed;
  t.is(event.user_id, session.user_id);
  t.like(event.profile, { user_id: session.user_id, first_name: 'Ada', city: 'London' });
  t.deepEqual(event.profile, await client.users.me(), 'the event carries the saved profile');
});

test('requestEnrichment for someone the provider does not know: enrichment.failed', async (t) => {
  const email = `nobody.${uniqueUsername()}@example.com`;
  const { client, session } = await signedUpAndSettled(t, email, 'enrichment.failed');
  await client.events.connect();
  const failed = nextEvent(client.events, 'enrichment.failed');

  await client.users.requestEnrichment();

  const event = await failed;
  t.is(event.user_id, session.user_id);
  t.is(event.reason, FAILURE_REASONS.notFound);
  t.is((await client.users.me()).city, null);
});
