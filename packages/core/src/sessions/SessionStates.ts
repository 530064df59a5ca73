import type { Knex } from 'knex';
import type { TokenVersionSettings } from '../auth/TokenVersions.js';

interface Entry {
  /** Whose session it is; undefined once ended (or when there is no such session). */
  readonly userId: number | undefined;
  /** Epoch ms after which the session has expired unless a refresh moved it on. */
  readonly expiresAt: number;
  readonly loadedAt: number;
}

const ENDED: Omit<Entry, 'loadedAt'> = { userId: undefined, expiresAt: 0 };

/**
 * Whether a session is still live, asked for every access token that carries one (`sid`), and
 * so kept in memory like `TokenVersions`: a bounded map, each entry trusted for `cacheMs`,
 * concurrent misses for one session sharing one read. An ended session never comes back, so
 * an end learned here (this process's logout or reuse, or another's over the event bus) holds
 * whatever a read that was under way says, and an ended entry is never read again.
 *
 * @example if (!(await states.isLive(sessionId, userId))) throw invalidToken()
 */
export class SessionStates {
  readonly #db: Knex;
  readonly #settings: TokenVersionSettings;
  readonly #now: () => number;
  readonly #entries = new Map<number, Entry>();
  readonly #loading = new Map<number, Promise<Entry>>();

  constructor(db: Knex, settings: TokenVersionSettings, now: () => number = Date.now) {
    this.#db = db;
    this.#settings = settings;
    this.#now = now;
  }

  /** True while the session exists, belongs to `userId`, has not ended and has not expired. */
  async isLive(sessionId: number, userId: number): Promise<boolean> {
    const now = this.#now();
    let entry = this.#entries.get(sessionId);
    if (entry !== undefined && entry.userId === undefined) return false;
    if (
      entry === undefined ||
      now - entry.loadedAt >= this.#settings.cacheMs ||
      entry.expiresAt <= now
    ) {
      entry = await this.#load(sessionId);
    }
    return entry.userId === userId && entry.expiresAt > this.#now();
  }

  /** A session this process started or refreshed: live until `expiresAt`, no read needed. */
  learnLive(sessionId: number, userId: number, expiresAt: string): void {
    if (this.#entries.get(sessionId)?.userId === undefined && this.#entries.has(sessionId)) return;
    this.#store(sessionId, { userId, expiresAt: Date.parse(expiresAt) });
  }

  /** A session ended here or, as the event bus says, in another process. */
  learnEnded(sessionId: number): void {
    this.#store(sessionId, ENDED);
  }

  #load(sessionId: number): Promise<Entry> {
    let loading = this.#loading.get(sessionId);
    if (loading === undefined) {
      loading = this.#read(sessionId).finally(() => this.#loading.delete(sessionId));
      this.#loading.set(sessionId, loading);
    }
    return loading;
  }

  async #read(sessionId: number): Promise<Entry> {
    const row = (await this.#db('user_sessions')
      .select('user_id', 'expires_at', 'revoked_at')
      .where('id', sessionId)
      .first()) as
      { user_id: number | string; expires_at: string | Date; revoked_at: unknown } | undefined;
    const known = this.#entries.get(sessionId);
    // Ended while the read was under way: an end is never undone.
    if (known !== undefined && known.userId === undefined) return known;
    const state =
      row === undefined || row.revoked_at !== null
        ? ENDED
        : { userId: Number(row.user_id), expiresAt: new Date(row.expires_at).getTime() };
    return this.#store(sessionId, state);
  }

  #store(sessionId: number, state: Omit<Entry, 'loadedAt'>): Entry {
    const entry = { ...state, loadedAt: this.#now() };
    // Deleted first, so the map's order stays the order of loading.
    this.#entries.delete(sessionId);
    this.#entries.set(sessionId, entry);
    if (this.#entries.size > this.#settings.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    return entry;
  }
}
