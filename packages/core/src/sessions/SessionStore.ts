import type { Knex } from 'knex';
import { toIsoTimestamp } from '../adapters/db/dbErrors.js';
import { deviceLabel } from './deviceLabel.js';
import { newRefreshToken, refreshTokenHash } from './refreshTokens.js';
import type { SessionView } from './Sessions.js';

/** The most sessions `GET /user/sessions` lists (the newest). */
export const MAX_LISTED_SESSIONS = 100;

/** A session just started or refreshed: the refresh token to hand over, never stored. */
export interface StartedSession {
  readonly sessionId: number;
  readonly refreshToken: string;
  /** ISO 8601: when the session ends unless refreshed before. */
  readonly expiresAt: string;
}

/** What a refresh token was worth. */
export type Rotation =
  | ({
      readonly kind: 'rotated';
      readonly userId: number;
      readonly tokenVersion: number;
    } & StartedSession)
  /** Used before: the session is revoked now (the theft signal). */
  | { readonly kind: 'reused'; readonly userId: number; readonly sessionId: number }
  /** Unknown, of an ended or expired session, or of one ended while this refresh ran. */
  | { readonly kind: 'refused' };

interface TokenRow {
  readonly used_at: unknown;
  readonly session_id: number | string;
  readonly user_id: number | string;
  readonly expires_at: string | Date;
  readonly revoked_at: unknown;
  readonly token_version: number | string;
}

/**
 * Sessions (`user_sessions`) and their refresh tokens (`refresh_tokens`, by SHA-256 only).
 * A session ends when it is logged out or revoked (`revoked_at`), or when it goes unrefreshed
 * for the refresh lifetime (`expires_at`, moved on by each refresh).
 *
 * @example const { sessionId, refreshToken } = await store.start(trx, userId, userAgent)
 */
export class SessionStore {
  readonly #db: Knex;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(db: Knex, ttlSeconds: number, now: () => number = Date.now) {
    this.#db = db;
    this.#ttlMs = ttlSeconds * 1000;
    this.#now = now;
  }

  /** Starts a session of `userId`, inside `trx` (a sign-up's, say) or on its own. */
  async start(
    trx: Knex | Knex.Transaction,
    userId: number,
    device: unknown,
  ): Promise<StartedSession> {
    const now = this.#now();
    const createdAt = new Date(now).toISOString();
    const expiresAt = new Date(now + this.#ttlMs).toISOString();
    const [inserted] = await trx('user_sessions')
      .insert({
        user_id: userId,
        device: deviceLabel(device),
        created_at: createdAt,
        last_used_at: createdAt,
        expires_at: expiresAt,
      })
      .returning<Array<{ id: number | string }>>('id');
    if (inserted === undefined) throw new Error('The database returned no id for the new session.');
    const sessionId = Number(inserted.id);
    const refreshToken = await this.#issue(trx, sessionId, createdAt);
    return { sessionId, refreshToken, expiresAt };
  }

  /**
   * Exchanges a refresh token for the next one. Exactly one of concurrent exchanges of one
   * token wins: the token is marked used by an update that only an unused token matches. A
   * token used before, by an earlier exchange or a concurrent one, revokes its session.
   */
  rotate(refreshToken: string): Promise<Rotation> {
    const hash = refreshTokenHash(refreshToken);
    return this.#db.transaction(async (trx): Promise<Rotation> => {
      const row = (await trx('refresh_tokens as r')
        .join('user_sessions as s', 's.id', 'r.session_id')
        .join('users as u', 'u.id', 's.user_id')
        .select('r.used_at', 'r.session_id', 's.user_id', 's.expires_at', 's.revoked_at')
        .select('u.token_version')
        .where('r.token_hash', hash)
        .first()) as TokenRow | undefined;
      const now = this.#now();
      if (row === undefined || row.revoked_at !== null) return { kind: 'refused' };
      if (new Date(row.expires_at).getTime() <= now) return { kind: 'refused' };
      const sessionId = Number(row.session_id);
      const userId = Number(row.user_id);
      const usedAt = new Date(now).toISOString();
      const marked =
        row.used_at === null
          ? await trx('refresh_tokens')
              .where('token_hash', hash)
              .whereNull('used_at')
              .update({ used_at: usedAt })
          : 0;
      if (marked === 0) {
        await this.#revoke(trx, sessionId, usedAt);
        return { kind: 'reused', userId, sessionId };
      }
      const expiresAt = new Date(now + this.#ttlMs).toISOString();
      const moved = await trx('user_sessions')
        .where('id', sessionId)
        .whereNull('revoked_at')
        .update({ last_used_at: usedAt, expires_at: expiresAt });
      // Logged out (or revoked) since it was read: no new token for it.
      if (moved === 0) return { kind: 'refused' };
      const next = await this.#issue(trx, sessionId, usedAt);
      // Used tokens older than a lifetime could not be used anyway had they not been rotated.
      await trx('refresh_tokens')
        .where('session_id', sessionId)
        .where('used_at', '<', new Date(now - this.#ttlMs).toISOString())
        .delete();
      return {
        kind: 'rotated',
        userId,
        tokenVersion: Number(row.token_version),
        sessionId,
        refreshToken: next,
        expiresAt,
      };
    });
  }

  /** Ends one session of `userId`; false when it was not live (or not theirs). */
  async end(userId: number, sessionId: number): Promise<boolean> {
    const ended = await this.#db('user_sessions')
      .where({ id: sessionId, user_id: userId })
      .whereNull('revoked_at')
      .update({ revoked_at: new Date(this.#now()).toISOString() });
    return ended > 0;
  }

  /** Ends every session of `userId`, in `trx` (with the token version's raise). */
  async endAll(trx: Knex | Knex.Transaction, userId: number): Promise<void> {
    await trx('user_sessions')
      .where('user_id', userId)
      .whereNull('revoked_at')
      .update({ revoked_at: new Date(this.#now()).toISOString() });
  }

  /** The user's live sessions, newest first, at most `MAX_LISTED_SESSIONS`. */
  async list(userId: number, currentSessionId: number | undefined): Promise<SessionView[]> {
    const rows = (await this.#db('user_sessions')
      .select('id', 'device', 'created_at', 'last_used_at')
      .where('user_id', userId)
      .whereNull('revoked_at')
      .where('expires_at', '>', new Date(this.#now()).toISOString())
      .orderBy('id', 'desc')
      .limit(MAX_LISTED_SESSIONS)) as Array<{
      id: number | string;
      device: string | null;
      created_at: string | Date;
      last_used_at: string | Date;
    }>;
    return rows.map((row) => ({
      session_id: Number(row.id),
      device: row.device,
      created: toIsoTimestamp(row.created_at),
      last_used: toIsoTimestamp(row.last_used_at),
      current: Number(row.id) === currentSessionId,
    }));
  }

  async #issue(
    trx: Knex | Knex.Transaction,
    sessionId: number,
    createdAt: string,
  ): Promise<string> {
    const token = newRefreshToken();
    await trx('refresh_tokens').insert({
      token_hash: refreshTokenHash(token),
      session_id: sessionId,
      created_at: createdAt,
    });
    return token;
  }

  async #revoke(trx: Knex.Transaction, sessionId: number, at: string): Promise<void> {
    await trx('user_sessions')
      .where('id', sessionId)
      .whereNull('revoked_at')
      .update({ revoked_at: at });
  }
}
