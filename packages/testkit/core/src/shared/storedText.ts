/**
 * One rule for every text Plaza stores, whoever sends it (a client, or a provider such as
 * Clearbit): what a reader sees must be what is stored.
 *
 * - `identifier` (username, email, site, avatar, link): no control character, no format or
 *   other invisible character at all.
 * - `line` (names, places, post titles): the same, except the joiners written text needs:
 *   a zero-width joiner inside an emoji sequence (👩‍💻), an emoji variation selector (❤️),
 *   an emoji tag sequence (the flag of England), and a zero-width joiner or non-joiner between
 *   two letters of a script that shapes with them (Arabic, Persian, the Indic scripts).
 * - `multiline` (post text, bio): as `line`, plus tab, line feed and carriage return.
 *
 * Refused everywhere: C0 and C1 controls and DEL (Unicode category Cc, but for the three
 * above in multi-line text), format characters (Cf: bidi marks U+061C/U+200E/U+200F,
 * embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, zero-width space U+200B,
 * word joiner U+2060, BOM U+FEFF, tags, …) and every other default-ignorable code point
 * (Hangul fillers, stray variation selectors, …), line and paragraph separators (U+2028,
 * U+2029), lone surrogates and noncharacters.
 */
export type TextShape = 'identifier' | 'line' | 'multiline';

/** Why a text breaks the rule, or `undefined` when it keeps it. */
export type TextProblem = 'control' | 'invisible';

const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINE_BREAKS_AND_TABS = /(?![\t\n\r])\p{Cc}/u;
const INVISIBLE =
  /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Cs}\p{Noncharacter_Code_Point}]/gu;

const EMOJI_BEFORE_JOINER = String.raw`[\p{Extended_Pictographic}\p{Emoji_Modifier}\u{FE0F}]`;
const JOINING_SCRIPTS = [
  'Arabic',
  'Syriac',
  'Nko',
  'Mongolian',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
]
  .map((script) => String.raw`\p{Script_Extensions=${script}}`)
  .join('');

/**
 * The invisible characters `line` and `multiline` text may hold, where they do their job;
 * tried (sticky) only where an invisible character is, so plain text costs one scan.
 */
const ALLOWED_JOINER = new RegExp(
  [
    // 👩‍💻: a ZWJ between two emoji.
    String.raw`(?<=${EMOJI_BEFORE_JOINER})\u200D(?=\p{Extended_Pictographic})`,
    // ❤️ and 1️⃣: a text or emoji presentation selector right after an emoji character.
    String.raw`(?<=\p{Emoji})[\uFE0E\uFE0F]`,
    // 🏴󠁧󠁢󠁥󠁮󠁧󠁿: a black flag, tag letters, a cancel tag.
    String.raw`(?<=\u{1F3F4})[\u{E0020}-\u{E007E}]+\u{E007F}`,
    // می‌خواهم, क्‍ष: ZWNJ and ZWJ between two letters of a script shaped with them.
    String.raw`(?<=[${JOINING_SCRIPTS}])[\u200C\u200D](?=[${JOINING_SCRIPTS}])`,
  ].join('|'),
  'uy',
);

/**
 * What is wrong with `value` as a stored text of the given shape, or `undefined` if nothing.
 *
 * @example textProblem('Ada\u200e', 'line') // 'invisible'
 */
export function textProblem(value: string, shape: TextShape): TextProblem | undefined {
  const control = shape === 'multiline' ? CONTROL_BUT_LINE_BREAKS_AND_TABS : CONTROL;
  if (control.test(value)) return 'control';
  INVISIBLE.lastIndex = 0;
  let allowedUntil = 0;
  for (let found = INVISIBLE.exec(value); found !== null; found = INVISIBLE.exec(value)) {
    if (found.index < allowedUntil) continue;
    if (shape === 'identifier') return 'invisible';
    ALLOWED_JOINER.lastIndex = found.index;
    if (!ALLOWED_JOINER.test(value)) return 'invisible';
    allowedUntil = ALLOWED_JOINER.lastIndex;
  }
  return undefined;
}

/** True when `value` keeps the rule for its shape. */
export const keepsTextRule = (value: string, shape: TextShape): boolean =>
  textProblem(value, shape) === undefined;

/** The USR_02 message for a parameter whose text breaks the rule. */
export const textProblemMessage = (name: string, problem: TextProblem): string =>
  problem === 'control'
    ? `${name} must not contain control characters.`
    : `${name} must not contain invisible or bidi control characters.`;
