import { WAIT_LIMIT_MS } from '@plaza/testkit';

/**
 * Polls `probe` until it returns something other than `undefined`, or fails after
 * `timeoutMs` with `what` in the message. Every wait in the suite is bounded, by a ceiling
 * meant for a saturated machine (see WAIT_LIMIT_MS): never a deadline a passing run is near.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = WAIT_LIMIT_MS,
  everyMs = 25,
): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
