import type { FeedbackType } from '@zxcvbn-ts/core';

/**
 * What a refused password did wrong, in words for the person who chose it: USR_04's `hint`.
 * Each names the rule first, then what would pass.
 *
 * @example passwordHints.tooShort(8) // 'Too short. Use at least 8 characters.'
 */
export const passwordHints = {
  tooShort: (minLength: number): string => `Too short. Use at least ${minLength} characters.`,
  tooLong: (maxLength: number): string => `Too long. Use at most ${maxLength} characters.`,
  allDigits: 'Only digits. Add some letters.',
  likeOwnWords: 'Too like your username or email address.',
  /** zxcvbn's own warning says what it found ("This is a commonly used password."). */
  tooEasyToGuess: ({ warning, suggestions }: FeedbackType): string =>
    `Too easy to guess. ${warning || suggestions[0] || 'Add another word or two.'}`,
} as const;
