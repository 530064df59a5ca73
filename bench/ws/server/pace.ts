import { setTimeout as delay } from 'node:timers/promises';

/**
 * Calls `each` for every item, `perSecond` a second on a fixed schedule (a late call does not
 * push the later ones back), or all in a row when `perSecond` is null. Awaits each call.
 *
 * @example await pace(userIds, 200, (userId) => plaza.enrichment.request(userId))
 */
export async function pace<T>(
  items: readonly T[],
  perSecond: number | null,
  each: (item: T) => unknown,
): Promise<void> {
  const start = performance.now();
  for (const [index, item] of items.entries()) {
    if (perSecond !== null) {
      const wait = start + (index * 1000) / perSecond - performance.now();
      if (wait > 0) await delay(wait);
    }
    await each(item);
  }
}
