import type { WatchCommand, WatchProtocol } from './WatchProtocol.js';

const AUTH_COMMAND = /^\/auth(?:\s+(.*))?$/s;

/**
 * The original service's protocol, kept verbatim because its clients match on the exact
 * strings: `/auth <TOKEN>` in, `ok: …` / `error: …` / `notice: …` out. Enrichment only.
 *
 * @example textWatchProtocol.parse('/auth eyJ…') // { kind: 'auth', token: 'eyJ…' }
 */
export const textWatchProtocol: WatchProtocol = {
  name: 'text',

  parse(message: string): WatchCommand {
    const match = AUTH_COMMAND.exec(message.trim());
    if (match === null) return { kind: 'unknown', problem: 'syntax' };
    const token = match[1]?.trim();
    return { kind: 'auth', token: token === '' ? undefined : token };
  },

  ready: (userId) => `ok: user_id=${userId}`,
  authFailed: () => 'error: cannot authenticate',
  syntaxError: () => 'error: syntax',

  event(event) {
    switch (event.type) {
      case 'enrichment.completed':
        return 'notice: socialuser data received';
      case 'enrichment.failed':
        return 'error: cannot receive socialuser data';
      default:
        return undefined;
    }
  },

  // The text protocol has no ids and no resume: its sockets hear live events only.
  replayed: () => undefined,
  resync: () => undefined,
};
