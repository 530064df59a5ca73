import type { Plaza, PlazaEvents, PlazaEventType } from '@plaza/core';

/**
 * How long a test waits for something that should happen soon (an event, a message, a row)
 * before it calls the code broken. A ceiling only: a passing test never waits it out, so it
 * is sized for a saturated machine, where a step that takes milliseconds alone can take
 * seconds, not for a quiet one. Waits that are the point of a test set their own.
 */
export const WAIT_LIMIT_MS = 30_000;

/** Resolves with the first event of `type` that `matches`, or rejects after `timeoutMs`. */
export function nextEvent<K extends PlazaEventType>(
  plaza: Plaza,
  type: K,
  matches: (payload: PlazaEvents[K]) => boolean = () => true,
  timeoutMs = WAIT_LIMIT_MS,
): Promise<PlazaEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = plaza.events.subscribe(type, (payload) => {
      if (!matches(payload)) return;
      clearTimeout(timer);
      stop();
      resolve(payload);
    });
  });
}

/** Every event of `type` published from now on, and a function to stop recording. */
export function recordEvents<K extends PlazaEventType>(
  plaza: Plaza,
  type: K,
): { readonly events: Array<PlazaEvents[K]>; readonly stop: () => void } {
  const events: Array<PlazaEvents[K]> = [];
  const stop = plaza.events.subscribe(type, (payload) => events.push(payload));
  return { events, stop };
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` holds, checking every few milliseconds; throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  done: () => boolean | Promise<boolean>,
  timeoutMs = WAIT_LIMIT_MS,
): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > giveUpAt) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await sleep(5);
  }
}

/** A promise the test opens by hand; registered with teardown so a failed test never hangs. */
export function aGate(t: { teardown(fn: () => unknown): void }): {
  readonly opened: Promise<void>;
  readonly open: () => void;
} {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  // Teardowns run in reverse order: this one runs before the Plaza is closed.
  t.teardown(() => open());
  return { opened, open };
}
