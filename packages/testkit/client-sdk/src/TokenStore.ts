export type Unsubscribe = () => void;

export type TokenListener = (token: string | undefined) => void;

/**
 * The client's current token, and who wants to know when it changes (the live events
 * connection re-authenticates with it).
 *
 * @example const tokens = new TokenStore(undefined); tokens.set('eyJ…')
 */
export class TokenStore {
  #token: string | undefined;
  readonly #listeners = new Set<TokenListener>();

  constructor(token: string | undefined) {
    this.#token = token;
  }

  get(): string | undefined {
    return this.#token;
  }

  set(token: string | undefined): void {
    if (token === this.#token) return;
    this.#token = token;
    for (const listener of [...this.#listeners]) listener(token);
  }

  onChange(listener: TokenListener): Unsubscribe {
    const registered: TokenListener = (token) => listener(token);
    this.#listeners.add(registered);
    return () => this.#listeners.delete(registered);
  }
}
