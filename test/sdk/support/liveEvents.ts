import type { LiveEventMap, LiveEvents, LiveEventType } from '@plaza/client-sdk';
import { WAIT_LIMIT_MS } from '@plaza/testkit';

/**
 * Resolves with the next event of `type` that `matches`, or rejects after `timeoutMs`. Ask for
 * it before doing what causes the event.
 */
export function nextEvent<K extends LiveEventType>(
  events: LiveEvents,
  type: K,
  matches: (event: LiveEventMap[K]) => boolean = () => true,
  timeoutMs = WAIT_LIMIT_MS,
): Promise<LiveEventMap[K]> {
  const next = new Promise<LiveEventMap[K]>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = events.on(type, (event) => {
      if (!matches(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
  // Whoever awaits it still gets the rejection; a test that failed earlier leaves none unhandled.
  next.catch(() => undefined);
  return next;
}

/** Every event of `type` from now on. */
export function recordEvents<K extends LiveEventType>(
  events: LiveEvents,
  type: K,
): Array<LiveEventMap[K]> {
  const seen: Array<LiveEventMap[K]> = [];
  events.on(type, (event) => seen.push(event));
  return seen;
}

/** An event without its inbox `id`, which it must carry (a positive whole number). */
export function withoutId<E extends { readonly id: number }>(event: E): Omit<E, 'id'> {
  const { id, ...rest } = event;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new Error(`the event has no inbox id: ${JSON.stringify(event)}`);
  }
  return rest;
}
