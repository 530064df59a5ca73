/** The longest device label kept (the `user_sessions.device` column's size). */
export const MAX_DEVICE_LABEL_LENGTH = 200;

// Control and format characters (line breaks, bidi overrides) would garble a sessions screen.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu;
const SPACES = /\s+/gu;

/**
 * A session's device label from what the client sent (its User-Agent): unprintable characters
 * and runs of spaces become one space, the ends are trimmed, and at most 200 characters (code
 * points) are kept. Nothing usable: null.
 *
 * @example deviceLabel('Mozilla/5.0 (X11; Linux x86_64)\r\n') // 'Mozilla/5.0 (X11; Linux x86_64)'
 */
export function deviceLabel(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const cleaned = raw.replace(UNPRINTABLE, ' ').replace(SPACES, ' ').trim();
  if (cleaned === '') return null;
  const points = Array.from(cleaned);
  if (points.length <= MAX_DEVICE_LABEL_LENGTH) return cleaned;
  return points.slice(0, MAX_DEVICE_LABEL_LENGTH).join('').trimEnd();
}
