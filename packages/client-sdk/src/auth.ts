import type { HttpTransport } from './http.js';
import { SessionKeeper, storedOf, type SignedInSessions, type SignedOutEvent } from './sessions.js';
import type { StoredTokens, TokenStore, Unsubscribe } from './TokenStore.js';
import type { Session, SignUpInput } from './types.js';

/** Sign up, log in, stay signed in, and the tokens the client sends. */
export interface AuthApi {
  /** Creates the user and signs the client in as them (a new session). */
  signup(input: SignUpInput): Promise<Session>;
  /** Signs the client in (a new session); wrong credentials are AUT_02. */
  login(username: string, password: string): Promise<Session>;
  /** Asks the server whose `token` (by default the current one) is; AUT_01 when it is not valid. */
  verify(token?: string): Promise<{ readonly user_id: number }>;
  /**
   * Trades the refresh token for the next access token and refresh token, and switches to
   * them. The client does this on its own (see `onSignedOut`); call it to refresh now. AUT_01
   * when the refresh token is refused, and then the client is signed out.
   */
  refresh(): Promise<Session>;
  /** Your live sessions, newest first; `current` marks this client's. */
  sessions(): Promise<SignedInSessions>;
  /**
   * Signs this client out: forgets its tokens here at once (live events close) and ends its
   * session on the server (`POST /user/logout`), so its refresh token and access tokens stop
   * working everywhere. Resolves when the server has answered, or could not be reached; never
   * rejects, so callers that do not wait for it (as before it returned a promise) lose nothing.
   */
  logout(): Promise<void>;
  /**
   * Changes your password (`newPassword` must pass the strength check: USR_04 on
   * `new_password`; a wrong `oldPassword` is AUT_02). Every earlier token of yours stops
   * working and every session ends, on every device; the client switches to the new session
   * it gets back, and live events re-authenticate with it.
   */
  changePassword(oldPassword: string, newPassword: string): Promise<Session>;
  /** Ends every session of yours on every device, this one included; forgets the tokens here. */
  logoutAll(): Promise<void>;
  currentToken(): string | undefined;
  /** The tokens to persist to stay signed in across restarts (`setTokens` gives them back). */
  currentTokens(): StoredTokens | undefined;
  /**
   * Signs in with an access token obtained elsewhere (or forgets the tokens, with undefined);
   * without a refresh token the client cannot refresh it.
   */
  setToken(token: string | undefined): void;
  /** Signs in with tokens kept from earlier (`currentTokens()`), or forgets them. */
  setTokens(tokens: StoredTokens | undefined): void;
  /**
   * Called with the new access token (or undefined) whenever the tokens change (sign-in,
   * refresh, sign-out), and with all of them, to persist.
   */
  onChange(
    listener: (token: string | undefined, tokens: StoredTokens | undefined) => void,
  ): Unsubscribe;
  /**
   * Called when the client signed itself out because the server refused its refresh token
   * (the session was logged out elsewhere, revoked or expired): show the sign-in screen.
   * Not called for `logout()` or `logoutAll()`.
   */
  onSignedOut(listener: (event: SignedOutEvent) => void): Unsubscribe;
}

/**
 * `auth`: the HTTP routes behind it, and a `SessionKeeper` that refreshes the access token
 * (ahead of its expiry and after an AUT_01) when `autoRefresh` is on.
 */
export function authApi(http: HttpTransport, tokens: TokenStore, autoRefresh = true): AuthApi {
  const keeper = new SessionKeeper(http, tokens, autoRefresh);
  const signedIn = (session: Session): Session => {
    tokens.setTokens(storedOf(session));
    return session;
  };
  return {
    async signup(input) {
      const body = await http.send('POST', '/user/data', { ...input }, { anonymous: true });
      return signedIn(body.data as Session);
    },
    async login(username, password) {
      const body = await http.send(
        'POST',
        '/api-token-auth/',
        { username, password },
        { anonymous: true },
      );
      return signedIn(body.data as Session);
    },
    async verify(token = tokens.get()) {
      const body = await http.send(
        'POST',
        '/api-token-verify/',
        { token: token ?? '' },
        { anonymous: true },
      );
      return body.data as { user_id: number };
    },
    refresh: () => keeper.refresh(),
    sessions: async () => (await http.send('GET', '/user/sessions')).data as SignedInSessions,
    async logout() {
      const held = tokens.tokens();
      tokens.setTokens(undefined);
      if (held !== undefined) await keeper.logout(held);
    },
    async changePassword(oldPassword, newPassword) {
      const body = await http.send('POST', '/user/password', {
        old_password: oldPassword,
        new_password: newPassword,
      });
      return signedIn(body.data as Session);
    },
    async logoutAll() {
      await http.send('POST', '/user/logout-all');
      tokens.setTokens(undefined);
    },
    currentToken: () => tokens.get(),
    currentTokens: () => tokens.tokens(),
    setToken: (token) => tokens.set(token),
    setTokens: (held) => tokens.setTokens(held),
    onChange: (listener) => tokens.onChange(listener),
    onSignedOut: (listener) => keeper.onSignedOut(listener),
  };
}
