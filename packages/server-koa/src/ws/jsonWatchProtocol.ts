import { INVALID_TOKEN_MESSAGE, notificationFields } from '@plaza/core/host';
import type { WatchCommand, WatchProtocol } from './WatchProtocol.js';

const RESYNC = JSON.stringify({ type: 'resync' });

const SINCE_PROBLEM = '"since" must be null or the last event id seen (a whole number from 0).';

const AUTH_FAILED = JSON.stringify({
  type: 'error',
  code: 'AUT_01',
  message: INVALID_TOKEN_MESSAGE,
});

/**
 * The SDK's protocol (`/user-watch?format=json`): one JSON object per message, with a
 * `type`; every event of the user's, post likes included.
 *
 * @example jsonWatchProtocol.parse('{"type":"auth","token":"eyJ…"}') // { kind: 'auth', … }
 */
export const jsonWatchProtocol: WatchProtocol = {
  name: 'json',

  parse(message: string): WatchCommand {
    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch {
      return { kind: 'unknown', problem: 'The message is not JSON.' };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { kind: 'unknown', problem: 'Expected a JSON object with a "type".' };
    }
    const { type, token, since } = value as Record<string, unknown>;
    if (type !== 'auth') {
      return { kind: 'unknown', problem: 'Unknown message type; the only one is "auth".' };
    }
    const checked = typeof token === 'string' && token !== '' ? token : undefined;
    if (!('since' in value)) return { kind: 'auth', token: checked };
    if (since !== null && !(Number.isSafeInteger(since) && (since as number) >= 0)) {
      return { kind: 'unknown', problem: SINCE_PROBLEM };
    }
    return { kind: 'auth', token: checked, since: since as number | null };
  },

  ready: (userId, head) =>
    JSON.stringify(
      head === undefined
        ? { type: 'ready', user_id: userId }
        : { type: 'ready', user_id: userId, last_id: head.last_id, unread: head.unread },
    ),
  authFailed: () => AUTH_FAILED,
  syntaxError: (problem) => JSON.stringify({ type: 'error', code: 'syntax', message: problem }),

  event(event, inboxId) {
    return frame(event.type, notificationFields(event), inboxId);
  },

  replayed: (entry) => frame(entry.type, entry.fields, entry.id),
  resync: () => RESYNC,
};

/**
 * An event's frame: its type, the fields its receiver is shown (`notificationFields`), and its
 * inbox id last, so a replayed frame is the live one, byte for byte.
 */
function frame(type: string, fields: Readonly<Record<string, unknown>>, id: number | undefined) {
  return JSON.stringify(id === undefined ? { type, ...fields } : { type, ...fields, id });
}
