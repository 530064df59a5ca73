import { PlazaApiError } from './errors.js';
import type { HttpTransport, TokenRenewal } from './http.js';
import type { StoredTokens, TokenStore, Unsubscribe } from './TokenStore.js';
import type { Session } from './types.js';

/** One signed-in session of yours (`auth.sessions()`). */
export interface SignedInSession {
  readonly session_id: number;
  /** The User-Agent it signed in with (cut to 200 characters), or null. */
  readonly device: string | null;
  /** ISO 8601 */
  readonly created: string;
  /** ISO 8601: its last refresh (or its sign-in). */
  readonly last_used: string;
  /** True for this client's session. */
  readonly current: boolean;
}

/** Your live sessions, newest first. */
export interface SignedInSessions {
  readonly sessions: readonly SignedInSession[];
}

/**
 * Why the client signed itself out: its refresh token was refused (the session was logged
 * out elsewhere, revoked, expired, or its refresh token used twice), `error` says so (AUT_01).
 */
export interface SignedOutEvent {
  readonly error: PlazaApiError;
}

/** The longest a token is refreshed ahead of its expiry; shorter-lived ones, a fifth of their life. */
const MAX_REFRESH_AHEAD_MS = 60_000;
/** Waits between tries of a scheduled refresh the server did not answer, doubling. */
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 60_000;

/**
 * Keeps the client signed in with its refresh token: refreshes the access token shortly before
 * it expires (a timer, and before any call made later than that), and once after an AUT_01
 * answer, then sends the call again. Concurrent calls share one refresh: two refreshes with one
 * refresh token would end the session (the server takes the second for a thief's). A refresh
 * the server refuses signs the client out and tells `onSignedOut` listeners.
 *
 * @example keeper.onSignedOut(({ error }) => showLogin(error.message))
 */
export class SessionKeeper implements TokenRenewal {
  readonly #http: HttpTransport;
  readonly #tokens: TokenStore;
  readonly #auto: boolean;
  readonly #signedOutListeners = new Set<(event: SignedOutEvent) => void>();
  #refreshing: Promise<Session> | undefined;
  /** Epoch ms (this machine's clock) from which the access token is due for a refresh. */
  #dueAt: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retryMs = RETRY_BASE_MS;

  constructor(http: HttpTransport, tokens: TokenStore, auto: boolean) {
    this.#http = http;
    this.#tokens = tokens;
    this.#auto = auto;
    tokens.onChange((_token, held) => this.#schedule(held));
    this.#schedule(tokens.tokens());
    if (auto) http.renewTokensWith(this);
  }

  /** The next access token and refresh token; shared by everyone who asks meanwhile. */
  refresh(): Promise<Session> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  onSignedOut(listener: (event: SignedOutEvent) => void): Unsubscribe {
    const registered = (event: SignedOutEvent): void => listener(event);
    this.#signedOutListeners.add(registered);
    return () => this.#signedOutListeners.delete(registered);
  }

  async beforeSend(): Promise<void> {
    if (this.#refreshing !== undefined) {
      await this.#refreshing.catch(() => undefined);
      return;
    }
    if (this.#dueAt === undefined || Date.now() < this.#dueAt) return;
    if (this.#tokens.refreshToken() === undefined) return;
    // A refused refresh signs out (the call then goes without a token and answers for
    // itself); an unanswered one leaves the token as it is.
    await this.refresh().catch(() => undefined);
  }

  async recover(sentToken: string): Promise<boolean> {
    const current = this.#tokens.get();
    // Refreshed while the call was under way: send it again with the new token.
    if (current !== undefined && current !== sentToken) return true;
    if (current === undefined || this.#tokens.refreshToken() === undefined) return false;
    try {
      await this.refresh();
      return true;
    } catch (error) {
      if (error instanceof PlazaApiError && error.code === 'AUT_01') return false;
      throw error;
    }
  }

  /** Ends the client's session on the server, with these tokens; never rejects. */
  async logout(held: StoredTokens): Promise<void> {
    try {
      await this.#http.send('POST', '/user/logout', {}, { token: held.token });
    } catch (error) {
      // An expired access token cannot log out; its refresh token gets one that can.
      if (!(error instanceof PlazaApiError && error.code === 'AUT_01')) return;
      if (held.refresh_token === undefined) return;
      try {
        const body = await this.#http.send(
          'POST',
          '/api-token-refresh/',
          { refresh_token: held.refresh_token },
          { anonymous: true },
        );
        const next = body.data as Session;
        await this.#http.send('POST', '/user/logout', {}, { token: next.token });
      } catch {
        // Ended or unreachable: the session ends on its own once it has gone unrefreshed.
      }
    }
  }

  async #refresh(): Promise<Session> {
    const refreshToken = this.#tokens.refreshToken();
    if (refreshToken === undefined) {
      throw new PlazaApiError({
        code: 'AUT_01',
        status: 401,
        message: 'No refresh token: sign in first.',
        field: 'TOKEN',
      });
    }
    let body;
    try {
      body = await this.#http.send(
        'POST',
        '/api-token-refresh/',
        { refresh_token: refreshToken },
        { anonymous: true },
      );
    } catch (error) {
      // Refused: this session is over. Unless the client signed in afresh meanwhile.
      if (
        error instanceof PlazaApiError &&
        error.code === 'AUT_01' &&
        this.#tokens.refreshToken() === refreshToken
      ) {
        this.#signOut(error);
      }
      throw error;
    }
    const session = body.data as Session;
    // Signed out or in afresh meanwhile: the new tokens are not the client's business.
    if (this.#tokens.refreshToken() === refreshToken) this.#tokens.setTokens(storedOf(session));
    return session;
  }

  #signOut(error: PlazaApiError): void {
    this.#tokens.setTokens(undefined);
    for (const listener of [...this.#signedOutListeners]) {
      try {
        listener({ error });
      } catch {
        // A listener's failure is its own; the others still hear of it.
      }
    }
  }

  #schedule(held: StoredTokens | undefined): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dueAt = undefined;
    this.#retryMs = RETRY_BASE_MS;
    if (held?.refresh_token === undefined) return;
    const lifetimeMs = lifetimeOf(held);
    if (lifetimeMs === undefined) return;
    const aheadMs = Math.min(MAX_REFRESH_AHEAD_MS, lifetimeMs / 5);
    this.#dueAt = Date.now() + Math.max(0, lifetimeMs - aheadMs);
    if (this.#auto) this.#arm(this.#dueAt - Date.now());
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.refresh().catch((error: unknown) => {
        // Refused: signed out already. Unanswered: try again later, while still due.
        if (error instanceof PlazaApiError && error.code === 'AUT_01') return;
        if (this.#tokens.refreshToken() === undefined || this.#timer !== undefined) return;
        this.#arm(this.#retryMs);
        this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
      });
    }, delayMs);
    // A pending refresh must not keep a Node process alive (browsers have no unref).
    const timer = this.#timer as { unref?: () => void };
    timer.unref?.();
  }
}

/** What the client keeps of a session the server answered. */
export function storedOf(session: Session): StoredTokens {
  return {
    token: session.token,
    refresh_token: session.refresh_token,
    expires_at: session.expires_at,
  };
}

/**
 * How long the access token has left from now, in ms. Its own `exp - iat` (the server's clock
 * on both sides) when it is a JWT that says, so that a skewed clock here does not matter;
 * else `expires_at` against this machine's clock.
 */
function lifetimeOf(held: StoredTokens): number | undefined {
  const claims = jwtClaims(held.token);
  if (claims !== undefined && typeof claims.exp === 'number' && typeof claims.iat === 'number') {
    const fromExpiry =
      held.expires_at === undefined ? undefined : Date.parse(held.expires_at) - Date.now();
    const lifetime = (claims.exp - claims.iat) * 1000;
    if (fromExpiry === undefined || Number.isNaN(fromExpiry)) return lifetime;
    // A restored token was issued a while ago: less is left of it. Never under half its life,
    // though: a clock here far ahead must not make every new token due at once.
    return Math.max(lifetime / 2, Math.min(lifetime, fromExpiry));
  }
  if (held.expires_at === undefined) return undefined;
  const left = Date.parse(held.expires_at) - Date.now();
  return Number.isNaN(left) ? undefined : left;
}

function jwtClaims(token: string): { exp?: unknown; iat?: unknown } | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
