import type { EnrichmentResult, ProfileEnricher } from '@plaza/core';

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
