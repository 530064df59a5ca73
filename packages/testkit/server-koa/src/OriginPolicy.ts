/**
 * Which browser pages may call the API from another origin (CORS) and open `/user-watch`.
 *
 * @example const cors: CorsOptions = { origins: ['https://app.example.com'] }
 */
export interface CorsOptions {
  /**
   * Exact origins (`scheme://host[:port]`, http or https, no path), or `['*']` alone for
   * any origin. Answers never allow credentials: the SDK sends a token, not cookies.
   */
  readonly origins: readonly string[];
}

/** The one entry that lets every origin read the API's answers. */
export const ANY_ORIGIN = '*';

// No path, query, fragment, user info, backslash or wildcard: what a browser sends as Origin.
const ORIGIN_SHAPE = /^https?:\/\/[^/\\?#@*\s]+$/i;

/**
 * Checks and normalizes a list of origins (lower-case host, no default port), as browsers
 * write the `Origin` header. Throws an Error naming the first entry that is not an origin.
 *
 * @example normalizeOrigins(['https://App.example.com:443']) // ['https://app.example.com']
 */
export function normalizeOrigins(entries: readonly string[]): string[] {
  if (entries.length === 0) return failWith('lists no origin');
  if (entries.includes(ANY_ORIGIN)) {
    if (entries.length > 1) return failWith(`"${ANY_ORIGIN}" (any origin) must stand alone`);
    return [ANY_ORIGIN];
  }
  return entries.map(normalizeOrigin);
}

function normalizeOrigin(entry: string): string {
  if (entry.includes('*')) {
    return failWith(`"${entry}": patterns are not supported; list each origin, or "*" alone`);
  }
  const url = ORIGIN_SHAPE.test(entry) ? parseUrl(entry) : null;
  if (url === null || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    return failWith(
      `"${entry}" is not an origin: write scheme://host[:port] with http or https and no path, not even a trailing "/"`,
    );
  }
  return url.origin;
}

/** `URL.parse` arrived in Node 20.18; engines allow 20.12. */
function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function failWith(problem: string): never {
  throw new Error(problem);
}

/**
 * Built once by `createServer` from its `cors` option. Without it, no CORS headers are sent
 * and browser pages may open `/user-watch` only from the server's own origin.
 */
export class OriginPolicy {
  readonly #origins: ReadonlySet<string>;
  readonly #any: boolean;
  /** Whether CORS is on: answers then depend on the `Origin` header. */
  readonly corsEnabled: boolean;

  private constructor(origins: readonly string[] | undefined) {
    this.corsEnabled = origins !== undefined;
    this.#any = origins?.includes(ANY_ORIGIN) ?? false;
    this.#origins = new Set(origins);
  }

  /**
   * Checks the option; throws an Error naming the bad entry.
   *
   * @example const policy = OriginPolicy.of({ origins: ['http://localhost:5173'] })
   */
  static of(cors: CorsOptions | undefined): OriginPolicy {
    if (cors === undefined) return new OriginPolicy(undefined);
    try {
      return new OriginPolicy(normalizeOrigins(cors.origins));
    } catch (error) {
      throw new Error(`cors.origins ${(error as Error).message}.`);
    }
  }

  /** `Access-Control-Allow-Origin` for a request from `origin`; undefined: no CORS headers. */
  allowOriginFor(origin: string): string | undefined {
    if (origin === '' || !this.corsEnabled) return undefined;
    if (this.#any) return ANY_ORIGIN;
    return this.#origins.has(origin) ? origin : undefined;
  }

  /**
   * Whether a WebSocket upgrade may proceed. Browsers always send `Origin`, so one without
   * it is a program (the bot, `ws` in Node), which no page can use to borrow a visitor.
   * A page of the server's own host is always welcome; others only when listed.
   */
  allowsUpgrade(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    if (this.#any || this.#origins.has(origin)) return true;
    return isSameHost(origin, host);
  }
}

const HOST_SHAPE = /^[^/\\?#@\s]+$/;

/**
 * Compares hosts only: behind a TLS proxy a page of `https://plaza.example` reaches us as
 * plain HTTP with `Host: plaza.example`. The page's scheme still decides the default port.
 */
function isSameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined || !HOST_SHAPE.test(host)) return false;
  const page = parseUrl(origin);
  if (page === null || (page.protocol !== 'http:' && page.protocol !== 'https:')) return false;
  const server = parseUrl(`${page.protocol}//${host}`);
  return server !== null && server.host === page.host;
}
