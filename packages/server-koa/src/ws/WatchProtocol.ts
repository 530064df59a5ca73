import type { KeptNotification, PlazaEvent } from '@plaza/core';

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
  | {
      readonly kind: 'auth';
      readonly token: string | undefined;
      /**
       * JSON only: present when the client resumes, `null` on its first connection (nothing to
       * replay), else the last inbox id it saw (every kept event after it is sent first).
       */
      readonly since?: number | null;
    }
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
  /** `head` (JSON, resuming sockets only): the person's newest inbox id and unread count. */
  ready(userId: number, head?: InboxHead): string;
  authFailed(): string;
  /** `problem` is a sentence for the client; protocols without room for it drop it. */
  syntaxError(problem: string): string;
  /**
   * The frame for `event`, or undefined when this format does not carry it; `inboxId` is the
   * receiver's inbox entry for it, which the JSON frame carries as `id`.
   */
  event(event: WatchedEvent, inboxId?: number): string | undefined;
  /** The frame of a kept event, sent again to a resuming socket: as `event` sent it live. */
  replayed(entry: KeptNotification): string | undefined;
  /** Tells a resuming socket that events after its `since` were pruned: reload. */
  resync(): string | undefined;
}

/** Where a person's inbox stands. */
export interface InboxHead {
  readonly last_id: number;
  readonly unread: number;
}
