import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import { codePointLength } from '../shared/values.js';

/** zxcvbn's 3: "safely unguessable", about 10^8 guesses or more. */
const MIN_SCORE = 3;
/**
 * zxcvbn's cost grows steeply with length and with l33t substitutions (seconds of blocked
 * event loop for a random 256-character password at its defaults). It scores the first 32
 * characters, trying at most 4 substitutions: a few milliseconds, and a password whose first
 * 32 characters are guessable is refused anyway.
 */
const SCORED_LENGTH = 32;
const MAX_L33T_SUBSTITUTIONS = 4;
const ALL_DIGITS = /^[0-9]+$/;

export interface PasswordPolicyOptions {
  readonly minLength: number;
  readonly maxLength: number;
}

/**
 * Decides whether a password is strong enough: long enough, not all digits, and scored
 * by zxcvbn against common passwords, English words and the user's own name and email.
 *
 * @example policy.isAcceptable('correct horse battery staple', ['ada', 'ada@example.com'])
 */
export class PasswordPolicy {
  readonly #zxcvbn: ZxcvbnFactory;
  readonly #options: PasswordPolicyOptions;

  constructor(options: PasswordPolicyOptions) {
    this.#options = options;
    this.#zxcvbn = new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...english.dictionary },
      graphs: common.adjacencyGraphs,
      translations: english.translations,
      // Levenshtein matching multiplies the cost several times over for little gain: the
      // dictionaries, l33t and reversed matching already catch the user's own words.
      useLevenshteinDistance: false,
      maxLength: SCORED_LENGTH,
      l33tMaxSubstitutions: MAX_L33T_SUBSTITUTIONS,
    });
  }

  /** Checked before any hashing, so an over-long password costs nothing. */
  isTooLong(password: string): boolean {
    return codePointLength(password) > this.#options.maxLength;
  }

  isAcceptable(password: string, userInputs: readonly string[]): boolean {
    if (this.isTooLong(password)) return false;
    if (codePointLength(password) < this.#options.minLength) return false;
    if (ALL_DIGITS.test(password)) return false;
    return this.#zxcvbn.check(password, userInputsFor(userInputs)).score >= MIN_SCORE;
  }
}

/** The user's own words, split so that "ada.lovelace@example.com" also counts "lovelace". */
function userInputsFor(values: readonly string[]): string[] {
  const words = new Set<string>();
  for (const value of values) {
    const lower = value.toLowerCase();
    words.add(lower);
    // An email's local part as a whole ("ada.lovelace"), which the split below would miss.
    const at = lower.lastIndexOf('@');
    if (at > 0) words.add(lower.slice(0, at));
    for (const part of lower.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) words.add(part);
  }
  return [...words];
}
