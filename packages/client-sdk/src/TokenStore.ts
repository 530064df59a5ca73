export type Unsubscribe = () => void;

/**
 * What the client holds to stay signed in; persist it (it is as secret as a password) and
 * give it back to `createClient(url, { token, refreshToken })` or `auth.setTokens()`.
 */
export interface StoredTokens {
  /** The access token the client sends. */
  readonly token: string;
  /** Gets the next access token (`auth.refresh`); absent for a token obtained elsewhere. */
  readonly refresh_token?: string | undefined;
  /** ISO 8601: when `token` expires, as the server said. */
  readonly expires_at?: string | undefined;
}

export type TokenListener = (token: string | undefined, tokens: StoredTokens | undefined) => void;

/**
 * The client's current tokens, and who wants to know when they change (the live events
 * connection re-authenticates with a new token; the session keeper schedules the next refresh;
 * the app may persist them).
 *
 * @example const tokens = new TokenStore(undefined); tokens.setTokens({ token: 'eyJ…' })
 */
export class TokenStore {
  #tokens: StoredTokens | undefined;
  readonly #listeners = new Set<TokenListener>();

  constructor(tokens: StoredTokens | undefined) {
    this.#tokens = tokens;
  }

  /** The access token, if any. */
  get(): string | undefined {
    return this.#tokens?.token;
  }

  tokens(): StoredTokens | undefined {
    return this.#tokens;
  }

  refreshToken(): string | undefined {
    return this.#tokens?.refresh_token;
  }

  /** An access token alone (obtained elsewhere): any refresh token held is forgotten. */
  set(token: string | undefined): void {
    this.setTokens(token === undefined ? undefined : { token });
  }

  setTokens(tokens: StoredTokens | undefined): void {
    const held = this.#tokens;
    if (
      held?.token === tokens?.token &&
      held?.refresh_token === tokens?.refresh_token &&
      held?.expires_at === tokens?.expires_at
    ) {
      return;
    }
    this.#tokens = tokens === undefined ? undefined : { ...tokens };
    for (const listener of [...this.#listeners]) listener(this.#tokens?.token, this.#tokens);
  }

  onChange(listener: TokenListener): Unsubscribe {
    const registered: TokenListener = (token, tokens) => listener(token, tokens);
    this.#listeners.add(registered);
    return () => this.#listeners.delete(registered);
  }
}
