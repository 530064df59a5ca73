import { editDistance } from '@plaza/core/host';
import { SERVER_SETTINGS } from './serverSettings.js';

const KEYS = SERVER_SETTINGS.map((setting) => setting.key);
const KNOWN = new Set(KEYS);

export const isSetting = (key: string): boolean => KNOWN.has(key);

/**
 * The setting `key` was probably meant to be: the same but for case, or a few edits away
 * (one for a short key such as PORT, so PGPORT is not taken for it).
 */
export function nearestSetting(key: string): string | undefined {
  const upper = key.toUpperCase();
  let nearest: { key: string; distance: number } | undefined;
  for (const candidate of KEYS) {
    const limit = Math.max(1, Math.floor(candidate.length / 4));
    const distance = editDistance(upper, candidate, limit);
    if (distance <= limit && (nearest === undefined || distance < nearest.distance)) {
      nearest = { key: candidate, distance };
    }
  }
  return nearest?.key;
}

/** `PROT in .env is not a Plaza setting; did you mean PORT?` */
export function notASetting(key: string, file: string): string {
  const nearest = nearestSetting(key);
  return nearest === undefined
    ? `${key} in ${file} is not a Plaza setting (plaza-server --help lists them).`
    : `${key} in ${file} is not a Plaza setting; did you mean ${nearest}?`;
}
