import type { EnrichmentResult, ProfileEnricher } from '@plaza/core';
import { fakeProfileFor } from '@plaza/core/host';

const now = (): number => performance.timeOrigin + performance.now();

/**
 * The bench's profile provider, in the server process: answers at once with the offline
 * fake's profile, or, between `hold()` and `release()`, keeps its answers until `release()`
 * gives them all at once (many users' jobs completing together). Remembers when it
 * answered each address.
 *
 * @example const enricher = new GatedEnricher(); enricher.hold(); … enricher.release()
 */
export class GatedEnricher implements ProfileEnricher {
  readonly name = 'bench-gated';
  /** Email → when the answer was given. */
  readonly answeredAt = new Map<string, number>();
  #holding = false;
  #held: Array<() => void> = [];

  hold(): void {
    this.#holding = true;
  }

  /** Answers every held look-up now and stops holding; returns how many there were. */
  release(): number {
    this.#holding = false;
    const held = this.#held;
    this.#held = [];
    for (const answer of held) answer();
    return held.length;
  }

  get held(): number {
    return this.#held.length;
  }

  lookUp(email: string): Promise<EnrichmentResult> {
    const result = fakeProfileFor(email);
    if (!this.#holding) {
      this.answeredAt.set(email, now());
      return Promise.resolve(result);
    }
    return new Promise((resolve) => {
      this.#held.push(() => {
        this.answeredAt.set(email, now());
        resolve(result);
      });
    });
  }
}
