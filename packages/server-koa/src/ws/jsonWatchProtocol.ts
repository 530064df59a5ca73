import { INVALID_TOKEN_MESSAGE } from '@plaza/core/host';
import type { WatchCommand, WatchProtocol } from './WatchProtocol.js';

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
    const { type, token } = value as Record<string, unknown>;
    if (type !== 'auth') {
      return { kind: 'unknown', problem: 'Unknown message type; the only one is "auth".' };
    }
    return { kind: 'auth', token: typeof token === 'string' && token !== '' ? token : undefined };
  },

  ready: (userId) => JSON.stringify({ type: 'ready', user_id: userId }),
  authFailed: () => AUTH_FAILED,
  syntaxError: (problem) => JSON.stringify({ type: 'error', code: 'syntax', message: problem }),

  event(event) {
    switch (event.type) {
      case 'enrichment.completed':
        return JSON.stringify({ type: event.type, user_id: event.user_id, profile: event.profile });
      case 'enrichment.failed':
        return JSON.stringify({ type: event.type, user_id: event.user_id, reason: event.reason });
      case 'post.liked':
      case 'post.unliked':
        // The author is the receiver, so `author_id` would say nothing.
        return JSON.stringify({
          type: event.type,
          post_id: event.post_id,
          by_user_id: event.by_user_id,
          likes: event.likes,
        });
      case 'post.edited':
        // To someone who likes the post; the likers listed are the bus's business.
        return JSON.stringify({
          type: event.type,
          post_id: event.post_id,
          author_id: event.author_id,
          edited: event.edited,
        });
      case 'post.deleted':
        return JSON.stringify({
          type: event.type,
          post_id: event.post_id,
          author_id: event.author_id,
        });
      case 'comment.created':
        return JSON.stringify({
          type: event.type,
          comment_id: event.comment_id,
          post_id: event.post_id,
          by_user_id: event.by_user_id,
          comments: event.comments,
          excerpt: event.excerpt,
        });
      case 'user.followed':
        // To the followed user, so their own id would say nothing.
        return JSON.stringify({
          type: event.type,
          by_user_id: event.by_user_id,
          followers_count: event.followers_count,
        });
    }
  },
};
