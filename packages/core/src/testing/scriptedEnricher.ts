import type { Plaza } from '../createPlaza.js';
import type { EnrichmentResult, ProfileEnricher } from '../enrichment/ProfileEnricher.js';
import type { PlazaEvents, PlazaEventType } from '../events/PlazaEvents.js';

type Answer = EnrichmentResult | (() => Promise<EnrichmentResult>);

/**
 * A profile enricher that answers from a script per email (then `otherwise`), remembers every
 * call, and counts how many look-ups run at once.
 */
export class ScriptedEnricher implements ProfileEnricher {
  readonly name = 'scripted';
  readonly calls: Array<{ readonly email: string; readonly at: number }> = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly #scripts = new Map<string, Answer[]>();
  readonly #otherwise: Answer;

  constructor(otherwise: Answer = { kind: 'found', profile: { city: 'London' } }) {
    this.#otherwise = otherwise;
  }

  /** Answers for one address, in order; the last one repeats. */
  script(email: string, ...answers: Answer[]): this {
    this.#scripts.set(email, answers);
    return this;
  }

  callsFor(email: string): number {
    return this.calls.filter((call) => call.email === email).length;
  }

  async lookUp(email: string): Promise<EnrichmentResult> {
    this.calls.push({ email, at: Date.now() });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const script = this.#scripts.get(email);
      const answer =
        (script && script.length > 1 ? script.shift() : script?.[0]) ?? this.#otherwise;
      return typeof answer === 'function' ? await answer() : answer;
    } finally {
      this.inFlight -= 1;
    }
  }
}

/** Resolves with the first event of `type` that `matches`, or rejects after `timeoutMs`. */
export function nextEvent<K extends PlazaEventType>(
  plaza: Plaza,
  type: K,
  matches: (payload: PlazaEvents[K]) => boolean = () => true,
  timeoutMs = 5_000,
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
  done: () => boolean,
  timeoutMs = 5_000,
): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!done()) {
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
