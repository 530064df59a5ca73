import { codePointLength } from '../shared/values.js';

/** How long an excerpt in a `comment.created` event may be, in characters (code points). */
export const COMMENT_EXCERPT_LENGTH = 100;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The beginning of a comment, short enough for an event payload and a notification line: the
 * whole text when it fits in `max` characters, else whole graphemes (an emoji sequence or a
 * letter with its marks is never cut) followed by "…", `max` characters at most in all.
 *
 * @example commentExcerpt('a'.repeat(150)) // 'aaa…a…' (99 letters and an ellipsis)
 */
export function commentExcerpt(text: string, max = COMMENT_EXCERPT_LENGTH): string {
  if (codePointLength(text) <= max) return text;
  let excerpt = '';
  let length = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = codePointLength(segment);
    if (length + size > max - 1) break;
    excerpt += segment;
    length += size;
  }
  return `${excerpt}…`;
}
