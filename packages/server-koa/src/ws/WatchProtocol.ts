import type { PlazaEvent } from '@plaza/core';

/**
 * The events a `/user-watch` socket may receive. `auth.tokens_revoked`, `auth.session_ended`
 * and `user.deleted` are not sent: they close the sockets of the revoked tokens, or of the
 * deleted user, instead.
 *
 * @example const failed: WatchedEvent = { type: 'enrichment.failed', user_id: 1, reason: 'x' }
 */
export type WatchedEvent = Exclude<
  PlazaEvent,
  { readonly type: 'post.created' | 'auth.tokens_revoked' | 'auth.session_ended' | 'user.deleted' }
>;

/**
 * What a client's message asks for.
 *
 * @example if (command.kind === 'auth') authenticate(command.token)
 */
export type WatchCommand =
  | { readonly kind: 'auth'; readonly token: string | undefined }
  | { readonly kind: 'unknown'; readonly problem: string };

/**
 * One wire format of `/user-watch`: how client messages are read, and how answers and
 * events are written.
 *
 * @example socket.send(textWatchProtocol.ready(42)) // 'ok: user_id=42'
 */
export interface WatchProtocol {
  readonly name: 'text' | 'json';
  parse(message: string): WatchCommand;
  ready(userId: number): string;
  authFailed(): string;
  /** `problem` is a sentence for the client; protocols without room for it drop it. */
  syntaxError(problem: string): string;
  /** The frame for `event`, or undefined when this format does not carry it. */
  event(event: WatchedEvent): string | undefined;
}
