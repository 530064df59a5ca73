import unhomoglyph from 'unhomoglyph';
import { usernameKey } from './User.js';

/**
 * What a username looks like, for refusing look-alikes of a taken one: Unicode's confusable
 * skeleton (UTS #39: NFD, each character mapped to its prototype in confusables.txt, NFD
 * again) of the username's key (NFKC, lower case: names differing only in case are one name
 * anyway), lower-cased once more since some prototypes are capitals ("0" maps to "O").
 * "admin", "аdmin" (Cyrillic а), "ΑDMIN" (Greek Α) and "adrnin" share one skeleton, as do
 * "user0" and "usero". Only for comparing, never for showing: "m" becomes "rn".
 *
 * @example usernameSkeleton('\u0430dmin') === usernameSkeleton('admin') // true
 */
export const usernameSkeleton = (username: string): string =>
  unhomoglyph(usernameKey(username).normalize('NFD')).normalize('NFD').toLowerCase();

/**
 * The skeletons a new username must not share with a taken name's: its own, and that of the
 * name as typed, whose capitals can look like letters their lower case does not: Cherokee
 * "Ꭺ" is "A", its lower case "ꭺ" a small capital; a capital "I" is "l".
 *
 * @example lookAlikeSkeletons('\u13aadam').includes(usernameSkeleton('adam')) // true
 */
export function lookAlikeSkeletons(username: string): string[] {
  const asTyped = usernameSkeleton(unhomoglyph(username.normalize('NFKC').normalize('NFD')));
  const own = usernameSkeleton(username);
  return asTyped === own ? [own] : [own, asTyped];
}
