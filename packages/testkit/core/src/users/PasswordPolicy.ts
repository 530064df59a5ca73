import { ZxcvbnFactory, type Match } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import { DEFAULT_PASSWORD_MIN_SCORE } from '../config.js';
import { editDistance } from '../shared/editDistance.js';
import { codePointLength } from '../shared/values.js';
import { passwordHints } from './passwordHints.js';

/**
 * zxcvbn's 3, "safely unguessable" (10^8 guesses or more), for a password holding the user's
 * own words: an attacker knows them, and at 2 the username with four random characters
 * added would pass.
 */
const OWN_WORDS_MIN_SCORE = 3;
/**
 * zxcvbn's cost grows steeply with length and with l33t substitutions (seconds of blocked
 * event loop for a random 256-character password at its defaults). It scores the first 32
 * characters, trying at most 4 substitutions: a few milliseconds, and a password whose first
 * 32 characters are guessable is refused anyway.
 */
const SCORED_LENGTH = 32;
const MAX_L33T_SUBSTITUTIONS = 4;
/** A password this close (in edits) to the user's own name or email is refused. */
const MAX_EDITS_FROM_OWN_WORDS = 2;
/** Shorter pieces ("com", "ada") turn up in random passwords by chance. */
const MIN_OWN_WORD_LENGTH = 4;
const ALL_DIGITS = /^[0-9]+$/;

export interface PasswordPolicyOptions {
  readonly minLength: number;
  readonly maxLength: number;
  /** zxcvbn's score (0–4) to reach; default 2, as the original's 8 random characters do. */
  readonly minScore?: number;
}

/** Whether a password may be used and, when not, which rule it failed (USR_04's `hint`). */
export type PasswordVerdict =
  { readonly acceptable: true } | { readonly acceptable: false; readonly hint: string };

const ACCEPTABLE: PasswordVerdict = { acceptable: true };
const refused = (hint: string): PasswordVerdict => ({ acceptable: false, hint });

let sharedZxcvbn: ZxcvbnFactory | undefined;

// The dictionaries take about 150 ms to load; every policy in the process shares them.
function zxcvbn(): ZxcvbnFactory {
  sharedZxcvbn ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    // zxcvbn's own Levenshtein matching costs hundreds of milliseconds against the whole
    // dictionaries; the user's own words get a cheap edit-distance check instead.
    useLevenshteinDistance: false,
    maxLength: SCORED_LENGTH,
    l33tMaxSubstitutions: MAX_L33T_SUBSTITUTIONS,
  });
  return sharedZxcvbn;
}

/**
 * Decides whether a password is strong enough: long enough, not all digits, not within two
 * edits of the user's name or email, and scored by zxcvbn against common passwords,
 * English words and the user's own words (at least `minScore`; 3 when it holds them).
 *
 * @example policy.check('correct horse battery staple', ['ada', 'ada@example.com'])
 */
export class PasswordPolicy {
  readonly #minLength: number;
  readonly #maxLength: number;
  readonly #minScore: number;

  constructor(options: PasswordPolicyOptions) {
    this.#minLength = options.minLength;
    this.#maxLength = options.maxLength;
    this.#minScore = options.minScore ?? DEFAULT_PASSWORD_MIN_SCORE;
    zxcvbn();
  }

  /** Checked before any hashing, so an over-long password costs nothing. */
  isTooLong(password: string): boolean {
    return codePointLength(password) > this.#maxLength;
  }

  isAcceptable(password: string, userInputs: readonly string[]): boolean {
    return this.check(password, userInputs).acceptable;
  }

  /** The verdict, with a hint naming the first rule the password fails. */
  check(password: string, userInputs: readonly string[]): PasswordVerdict {
    if (this.isTooLong(password)) return refused(passwordHints.tooLong(this.#maxLength));
    if (codePointLength(password) < this.#minLength) {
      return refused(passwordHints.tooShort(this.#minLength));
    }
    if (ALL_DIGITS.test(password)) return refused(passwordHints.allDigits);
    const ownWords = userInputsFor(userInputs);
    if (isCloseToAny(password, ownWords)) return refused(passwordHints.likeOwnWords);
    const { score, sequence, feedback } = zxcvbn().check(password, ownWords);
    const holdsOwnWords = sequence.some(isOwnWord);
    const minScore = holdsOwnWords ? Math.max(this.#minScore, OWN_WORDS_MIN_SCORE) : this.#minScore;
    if (score >= minScore) return ACCEPTABLE;
    return refused(
      holdsOwnWords ? passwordHints.likeOwnWords : passwordHints.tooEasyToGuess(feedback),
    );
  }
}

const isOwnWord = (match: Match): boolean =>
  match.pattern === 'dictionary' &&
  match['dictionaryName'] === 'userInputs' &&
  codePointLength(match.token) >= MIN_OWN_WORD_LENGTH;

/**
 * The user's own words: each value whole, an email's local part, and their pieces split at
 * punctuation and between letters and digits ("lovelace1815" also gives "lovelace", "1815").
 */
export function userInputsFor(values: readonly string[]): string[] {
  const words = new Set<string>();
  for (const value of values) {
    const lower = value.toLowerCase();
    words.add(lower);
    // An email's local part as a whole ("ada.lovelace"), which the split below would miss.
    const at = lower.lastIndexOf('@');
    if (at > 0) words.add(lower.slice(0, at));
    for (const part of lower.split(/[^\p{L}\p{N}]+|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u)) {
      if (part.length >= 3) words.add(part);
    }
  }
  return [...words];
}

const lettersAndDigits = (value: string): string =>
  value.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** "Lovelace_1815" and "lovelaec1815" are both near "lovelace1815". */
function isCloseToAny(password: string, ownWords: readonly string[]): boolean {
  const core = lettersAndDigits(password);
  return ownWords.some((word) => {
    const other = lettersAndDigits(word);
    return (
      other.length >= MIN_OWN_WORD_LENGTH &&
      Math.abs(other.length - core.length) <= MAX_EDITS_FROM_OWN_WORDS &&
      editDistance(core, other, MAX_EDITS_FROM_OWN_WORDS) <= MAX_EDITS_FROM_OWN_WORDS
    );
  });
}
