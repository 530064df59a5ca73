import test from 'ava';
import type { PostLikeChange } from './PlazaEvents.js';
import { InProcessEventBus } from './InProcessEventBus.js';
import { recordingLogger } from '@plaza/testkit';

test('listeners hear their type only, in the order they subscribed', async (t) => {
  const bus = new InProcessEventBus();
  const heard: string[] = [];
  bus.subscribe('post.created', () => heard.push('first'));
  bus.subscribe('post.created', () => heard.push('second'));
  bus.subscribe('post.liked', () => heard.push('liked'));
  await bus.publish('post.created', { post_id: 1, author_id: 2 });
  t.deepEqual(heard, ['first', 'second']);
});

test('an unsubscribed listener hears nothing, and hasListeners says so', async (t) => {
  const bus = new InProcessEventBus();
  const heard: unknown[] = [];
  const stop = bus.subscribe('post.created', (payload) => heard.push(payload));
  t.true(bus.hasListeners('post.created'));
  stop();
  stop();
  await bus.publish('post.created', { post_id: 1, author_id: 2 });
  t.deepEqual(heard, []);
  t.false(bus.hasListeners('post.created'));
});

test('a listener that throws is logged and the others still hear the event', async (t) => {
  const { logger, calls } = recordingLogger();
  const bus = new InProcessEventBus(logger);
  const heard: PostLikeChange[] = [];
  bus.subscribe('post.liked', () => {
    throw new Error('listener bug');
  });
  bus.subscribe('post.liked', (payload) => heard.push(payload));
  const change = { post_id: 1, author_id: 2, by_user_id: 3, likes: 1 };
  await bus.publish('post.liked', change);
  t.deepEqual(heard, [change]);
  t.true(
    calls.some((call) => call.level === 'error' && call.message === 'an event listener failed'),
  );
});
