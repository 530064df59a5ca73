import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listenOnLoopback.js';
import { trickle } from './trickle.js';

/**
 * A local imitation of Clearbit's Person API (`GET /v2/people/find?email=E` and
 * `GET /v2/combined/find?email=E`) for integration tests. It answers with Clearbit's shapes
 * and status codes as described in PROVIDERS.md. Self-contained on purpose: it must not
 * import @plaza/core.
 */

export const FAKE_CLEARBIT_API_KEY = 'sk_fake_clearbit_0123456789abcdef';

/** Local parts the rules treat as role addresses (422, as Clearbit does for info@). */
export const FAKE_CLEARBIT_ROLE_LOCAL_PARTS: readonly string[] = ['info', 'admin'];

export const PEOPLE_PATH = '/v2/people/find';
export const COMBINED_PATH = '/v2/combined/find';
export type FakeClearbitPath = typeof PEOPLE_PATH | typeof COMBINED_PATH;

/** The body of 503 answers while the fake is down (plain text). */
export const FAKE_CLEARBIT_DOWN_BODY = 'Clearbit is down';

/** A Clearbit person as the API returns it; any field may be null. */
export interface FakeClearbitPerson {
  readonly id: string;
  readonly name: {
    readonly fullName: string | null;
    readonly givenName: string | null;
    readonly familyName: string | null;
  } | null;
  readonly email: string | null;
  readonly location: string | null;
  readonly timeZone: string | null;
  readonly utcOffset: number | null;
  readonly geo: {
    readonly city: string | null;
    readonly state: string | null;
    readonly stateCode: string | null;
    readonly country: string | null;
    readonly countryCode: string | null;
    readonly lat: number | null;
    readonly lng: number | null;
  } | null;
  readonly bio: string | null;
  readonly site: string | null;
  readonly avatar: string | null;
  readonly employment: {
    readonly domain: string | null;
    readonly name: string | null;
    readonly title: string | null;
    readonly role: string | null;
    readonly subRole: string | null;
    readonly seniority: string | null;
  } | null;
  readonly github: { readonly handle: string | null } | null;
  readonly twitter: { readonly handle: string | null } | null;
  readonly linkedin: { readonly handle: string | null } | null;
  readonly fuzzy: boolean;
  readonly emailProvider: boolean;
  readonly indexedAt: string | null;
}

/** The profile fields Plaza stores (core's `EnrichedProfile`), repeated here on purpose. */
export interface FakeClearbitProfile {
  readonly first_name?: string;
  readonly last_name?: string;
  readonly location?: string;
  readonly city?: string;
  readonly state?: string;
  readonly country?: string;
  readonly lat?: number;
  readonly lng?: number;
  readonly bio?: string;
  readonly site?: string;
  readonly avatar?: string;
}

/** Shorthands for the common answers; each expands to one of the object forms below. */
export type FakeClearbitShorthand =
  /** 200 with the default person for the address. */
  | 'person'
  /** 200 `{"person": null, "company": null}`. */
  | 'no_person'
  /** One 202 with an empty body, then the rules. */
  | 'queued'
  /** 404 `{"error":{"type":"unknown_record",...}}`. */
  | 'not_found'
  /** 422 `{"error":{"type":"email_invalid",...}}`. */
  | 'invalid_email'
  /** 402 `{"error":{"type":"payment_required",...}}`. */
  | 'over_quota'
  /** 429 rate_limit with X-RateLimit-* headers (Reset 60 s ahead), no Retry-After. */
  | 'rate_limited'
  /** 500 `{"error":{"type":"api_error",...}}`. */
  | 'server_error'
  /** 502 plain text `Bad Gateway`. */
  | 'bad_gateway'
  /** Accepted and never answered (until `close()`). */
  | 'hang';

/**
 * What the fake answers for one address.
 * - `{ kind: 'person', person? }`: 200 with the default person for the address, `person`
 *   shallowly merged over it (set a field to null to null it). On `/v2/combined/find` it is
 *   wrapped as `{"person": ..., "company": null}`;
 * - `{ kind: 'combined', person? }`: 200 `{"person": ..., "company": null}` on either path;
 *   `person: null` for "nobody found", else merged over the default person as above;
 * - `{ kind: 'queued', times?, body?, then?, retryAfter? }`: `times` answers of 202 (default 1;
 *   `Infinity` for "queued forever") with an empty body (default) or
 *   `{"error":{"type":"queued",...}}` (`body: 'json'`), then `then` (default: the rules);
 * - `{ kind: 'not_found', shape? }`: 404 `unknown_record` (default) or
 *   `{"message":"Resource not found"}` (`shape: 'message'`);
 * - `{ kind: 'rate_limit', httpStatus?, limit?, remaining?, resetInSeconds?, retryAfter?,
 *   rateLimitHeaders? }`: 429 (or the legacy 400) with type `rate_limit` and
 *   `X-RateLimit-Limit/Remaining/Reset` (Reset in epoch seconds; default limit 600, remaining 0,
 *   reset 60 s ahead); `Retry-After` only when `retryAfter` is given;
 * - `{ kind: 'error', httpStatus, type?, message?, headers? }`: Clearbit's error envelope
 *   `{"error":{"type","message"}}` (type defaults by status: 400 invalid_params,
 *   401 invalid_api_key, 402 payment_required, 404 unknown_record, 422 email_invalid,
 *   429 rate_limit, 451 unavailable_for_legal_reasons, 5xx api_error);
 * - `{ kind: 'text', httpStatus, body, contentType? }`: a non-JSON body (502 from a proxy, or
 *   garbage with 200);
 * - `{ kind: 'trickle', httpStatus?, body?, intervalMs? }`: headers at once, then the body one
 *   byte every `intervalMs` (default 200); default 200 with the default person, so only a
 *   deadline that covers the body stops a client from accepting it;
 * - `'hang'` / `{ kind: 'hang' }`: accepted and never answered (until `close()`).
 */
export type FakeClearbitAnswer =
  | FakeClearbitShorthand
  | { readonly kind: 'person'; readonly person?: Partial<FakeClearbitPerson> }
  | { readonly kind: 'combined'; readonly person?: Partial<FakeClearbitPerson> | null }
  | {
      readonly kind: 'queued';
      readonly times?: number;
      readonly body?: 'empty' | 'json';
      readonly then?: FakeClearbitAnswer;
      readonly retryAfter?: number | string;
    }
  | { readonly kind: 'not_found'; readonly shape?: 'unknown_record' | 'message' }
  | {
      readonly kind: 'rate_limit';
      readonly httpStatus?: 429 | 400;
      readonly limit?: number;
      readonly remaining?: number;
      readonly resetInSeconds?: number;
      readonly retryAfter?: number | string;
      readonly rateLimitHeaders?: boolean;
    }
  | {
      readonly kind: 'error';
      readonly httpStatus: number;
      readonly type?: string;
      readonly message?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'text';
      readonly httpStatus: number;
      readonly body: string;
      readonly contentType?: string;
    }
  | {
      readonly kind: 'trickle';
      readonly httpStatus?: number;
      readonly body?: string;
      readonly intervalMs?: number;
    }
  | { readonly kind: 'hang' };

export interface FakeClearbitRequest {
  /** Which endpoint was called. */
  readonly path: FakeClearbitPath;
  /** The `email` query parameter, or `null` when it was missing. */
  readonly email: string | null;
  /** Whether the request carried the right key (the key itself is not recorded). */
  readonly authorized: boolean;
  /** How a key was sent: `Authorization: Bearer`, HTTP Basic, something else, or not at all. */
  readonly auth: 'bearer' | 'basic' | 'other' | 'none';
}

export interface FakeClearbit {
  /** Base URL to give the enricher, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** The key the fake accepts; any other key gets a 401. */
  readonly apiKey: string;
  /** Person/combined requests received so far, in order (a copy). */
  readonly requests: readonly FakeClearbitRequest[];
  /** Script the answer for one address (compared case-insensitively); replaces the rules. */
  respondWith(email: string, answer: FakeClearbitAnswer): void;
  /**
   * Script the answer for every address that has no answer of its own (`null`: back to the
   * rules). Queued counters stay per address.
   */
  respondToAll(answer: FakeClearbitAnswer | null): void;
  /** While down, every request (any key, any path) gets 503 `Clearbit is down` (plain text). */
  setDown(down: boolean): void;
  /** Forget scripted answers, queued counters, received requests and the down flag. */
  reset(): void;
  /** Stops listening and drops open connections, hanging ones included. Safe to call twice. */
  close(): Promise<void>;
}

export interface FakeClearbitOptions {
  /** The key to accept; default {@link FAKE_CLEARBIT_API_KEY}. */
  readonly apiKey?: string;
}

type Expanded = Exclude<FakeClearbitAnswer, string>;

const SHORTHANDS: Readonly<Record<FakeClearbitShorthand, Expanded>> = {
  person: { kind: 'person' },
  no_person: { kind: 'combined', person: null },
  queued: { kind: 'queued' },
  not_found: { kind: 'not_found' },
  invalid_email: { kind: 'error', httpStatus: 422 },
  over_quota: { kind: 'error', httpStatus: 402 },
  rate_limited: { kind: 'rate_limit' },
  server_error: { kind: 'error', httpStatus: 500 },
  bad_gateway: {
    kind: 'text',
    httpStatus: 502,
    body: 'Bad Gateway',
    contentType: 'text/plain; charset=utf-8',
  },
  hang: { kind: 'hang' },
};

const DEFAULT_ERRORS: Readonly<Record<number, { type: string; message: string }>> = {
  400: { type: 'invalid_params', message: 'Invalid parameters.' },
  401: { type: 'invalid_api_key', message: 'Invalid API key provided.' },
  402: { type: 'payment_required', message: 'Your account is over its plan quota.' },
  404: { type: 'unknown_record', message: 'Unknown person.' },
  422: { type: 'email_invalid', message: 'Invalid email.' },
  429: { type: 'rate_limit', message: 'Rate limit exceeded.' },
  451: { type: 'unavailable_for_legal_reasons', message: 'Unavailable for legal reasons.' },
};

// Constant objects so queued counters (kept per address and per answer object) stay stable.
const RULE_PERSON: Expanded = { kind: 'person' };
const RULE_NOT_FOUND: Expanded = { kind: 'not_found' };
const RULE_INVALID: Expanded = { kind: 'error', httpStatus: 422 };
const RULE_SLOW: Expanded = { kind: 'queued', times: 1, then: RULE_PERSON };

// Mirrors core's sanitizeProfile limits, so the default person is stored exactly as sent.
const MAX_NAME_LENGTH = 150;
const MAX_URL_LENGTH = 2048;

/**
 * Starts the fake on 127.0.0.1 with a free port. Unscripted addresses follow these rules:
 * no `@` (or nothing on either side) → 422 email_invalid; a role address (`info@`, `admin@`)
 * → 422; a local part starting with `nobody` → 404 unknown_record; a local part starting with
 * `slow` → one 202 (empty body) then 200; else 200 with {@link fakeClearbitPerson}.
 * A missing key → 401 auth_required; a wrong one → 401 invalid_api_key.
 *
 * @example const clearbit = await startFakeClearbit(); clearbit.respondWith('a@b.com', 'over_quota')
 */
export async function startFakeClearbit(options: FakeClearbitOptions = {}): Promise<FakeClearbit> {
  const apiKey = options.apiKey ?? FAKE_CLEARBIT_API_KEY;
  const scripted = new Map<string, FakeClearbitAnswer>();
  let forAll: FakeClearbitAnswer | null = null;
  let down = false;
  // address → answer object → how many 202s it has given.
  const queuedServed = new Map<string, Map<object, number>>();
  const requests: FakeClearbitRequest[] = [];

  const server = createServer((req, res) => {
    handle(req, res);
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake-clearbit');
    const path = url.pathname;
    const known = req.method === 'GET' && (path === PEOPLE_PATH || path === COMBINED_PATH);
    const email = url.searchParams.get('email');
    const { auth, key: givenKey } = readKey(req.headers.authorization);
    const authorized = givenKey === apiKey;
    if (known) requests.push({ path, email, authorized, auth });

    if (down) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(FAKE_CLEARBIT_DOWN_BODY);
      return;
    }
    if (!known) {
      sendJson(res, 404, errorEnvelope('not_found', 'This route does not exist.'));
      return;
    }
    if (!authorized) {
      sendJson(
        res,
        401,
        auth === 'none'
          ? errorEnvelope('auth_required', 'API key required.')
          : errorEnvelope('invalid_api_key', 'Invalid API key provided.'),
      );
      return;
    }
    if (email === null || email.trim() === '') {
      sendJson(res, 422, errorEnvelope('email_invalid', 'Email is required.'));
      return;
    }
    const key = email.trim().toLowerCase();
    const chosen = scripted.get(key) ?? forAll ?? defaultAnswer(email);
    answer(res, path, email, key, chosen);
  }

  function answer(
    res: ServerResponse,
    path: FakeClearbitPath,
    email: string,
    key: string,
    chosen: FakeClearbitAnswer,
  ): void {
    const a = typeof chosen === 'string' ? SHORTHANDS[chosen] : chosen;
    switch (a.kind) {
      case 'hang':
        return; // never answered; close() drops the connection
      case 'person': {
        const person = { ...fakeClearbitPerson(email), ...a.person };
        sendJson(res, 200, path === COMBINED_PATH ? { person, company: null } : person);
        return;
      }
      case 'combined': {
        const person = a.person === null ? null : { ...fakeClearbitPerson(email), ...a.person };
        sendJson(res, 200, { person, company: null });
        return;
      }
      case 'queued': {
        let counters = queuedServed.get(key);
        if (counters === undefined) {
          counters = new Map();
          queuedServed.set(key, counters);
        }
        const served = counters.get(a) ?? 0;
        if (served < (a.times ?? 1)) {
          counters.set(a, served + 1);
          const headers: Record<string, string> =
            a.retryAfter === undefined ? {} : { 'retry-after': String(a.retryAfter) };
          if (a.body === 'json') {
            sendJson(
              res,
              202,
              errorEnvelope('queued', 'Your request is queued. Try again in a few minutes.'),
              headers,
            );
          } else {
            res.writeHead(202, { ...headers, 'content-length': '0' });
            res.end();
          }
          return;
        }
        answer(res, path, email, key, a.then ?? defaultAnswer(email));
        return;
      }
      case 'not_found':
        sendJson(
          res,
          404,
          a.shape === 'message'
            ? { message: 'Resource not found' }
            : errorEnvelope('unknown_record', 'Unknown person.'),
        );
        return;
      case 'rate_limit': {
        const limit = a.limit ?? 600;
        const resetIn = a.resetInSeconds ?? 60;
        const headers: Record<string, string> = {};
        if (a.rateLimitHeaders ?? true) {
          headers['x-ratelimit-limit'] = String(limit);
          headers['x-ratelimit-remaining'] = String(a.remaining ?? 0);
          headers['x-ratelimit-reset'] = String(Math.floor(Date.now() / 1000) + resetIn);
        }
        if (a.retryAfter !== undefined) headers['retry-after'] = String(a.retryAfter);
        sendJson(
          res,
          a.httpStatus ?? 429,
          errorEnvelope(
            'rate_limit',
            `Rate limit exceeded. Limit is ${limit} requests per minute. ` +
              `Rate limit will be reset in ${resetIn} seconds.`,
          ),
          headers,
        );
        return;
      }
      case 'error': {
        const fallback = DEFAULT_ERRORS[a.httpStatus] ?? {
          type: a.httpStatus >= 500 ? 'api_error' : 'error',
          message: `Fake Clearbit answered ${a.httpStatus}.`,
        };
        sendJson(
          res,
          a.httpStatus,
          errorEnvelope(a.type ?? fallback.type, a.message ?? fallback.message),
          a.headers ?? {},
        );
        return;
      }
      case 'text':
        res.writeHead(a.httpStatus, {
          'content-type': a.contentType ?? 'text/html; charset=utf-8',
        });
        res.end(a.body);
        return;
      case 'trickle':
        trickle(
          res,
          a.httpStatus ?? 200,
          a.body ?? JSON.stringify(fakeClearbitPerson(email)),
          a.intervalMs ?? 200,
        );
        return;
    }
  }

  const url = await listenOnLoopback(server);

  return {
    url,
    apiKey,
    get requests() {
      return [...requests];
    },
    respondWith(email, scriptedAnswer) {
      const key = email.trim().toLowerCase();
      scripted.set(key, scriptedAnswer);
      queuedServed.delete(key);
    },
    respondToAll(scriptedAnswer) {
      forAll = scriptedAnswer;
    },
    setDown(value) {
      down = value;
    },
    reset() {
      scripted.clear();
      forAll = null;
      down = false;
      queuedServed.clear();
      requests.length = 0;
    },
    close() {
      if (!server.listening) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The person the fake makes up for an address: names from the local part (`ada.lovelace` →
 * Ada Lovelace; split on `.`, `_`, `-`, `+`; no family name for a one-part local part), always
 * in London, England, GB (51.5074, -0.1278), with a bio, a site
 * `https://example.com/~<local part>` and an avatar `https://example.com/avatars/<local part>.png`
 * (local part lower-cased and URL-encoded).
 */
export function fakeClearbitPerson(email: string): FakeClearbitPerson {
  const normalized = email.trim().toLowerCase();
  const at = normalized.lastIndexOf('@');
  const local = at < 0 ? normalized : normalized.slice(0, at);
  const domain = at < 0 ? null : normalized.slice(at + 1);
  const parts = local.split(/[._+-]+/u).filter((part) => part !== '');
  const givenName = parts[0] === undefined ? null : nameOf([parts[0]]);
  const familyName = parts.length > 1 ? nameOf(parts.slice(1)) : null;
  const fullName =
    [givenName, familyName].filter((name): name is string => name !== null).join(' ') || null;
  const slug = encodeURIComponent(local);
  const handle = parts.join('') || null;
  return {
    id: uuidFrom(normalized),
    name: { fullName, givenName, familyName },
    email: normalized,
    location: 'London, England, GB',
    timeZone: 'Europe/London',
    utcOffset: 0,
    geo: {
      city: 'London',
      state: 'England',
      stateCode: 'ENG',
      country: 'GB',
      countryCode: 'GB',
      lat: 51.5074,
      lng: -0.1278,
    },
    bio: `${fullName ?? 'Someone'} is a person the fake Clearbit made up.`,
    site: urlOrNull(`https://example.com/~${slug}`),
    avatar: urlOrNull(`https://example.com/avatars/${slug}.png`),
    employment: {
      domain,
      name: domain === null ? null : 'Example Ltd',
      title: 'Engineer',
      role: 'engineering',
      subRole: 'software_engineer',
      seniority: null,
    },
    github: { handle },
    twitter: { handle: null },
    linkedin: { handle: handle === null ? null : `in/${handle}` },
    fuzzy: false,
    emailProvider: false,
    indexedAt: '2023-06-01T00:00:00.000Z',
  };
}

/**
 * The profile Plaza would store from the fake's default person for `email`
 * ({@link fakeClearbitPerson}, read the way core's Clearbit adapter reads it; null fields
 * left out). Given for any address, even those the rules answer without a person.
 *
 * @example t.deepEqual(user.profile, expectedFakeClearbitProfile('ada.lovelace@example.com'))
 */
export function expectedFakeClearbitProfile(email: string): FakeClearbitProfile {
  const person = fakeClearbitPerson(email);
  const candidates: Record<string, string | number | null | undefined> = {
    first_name: person.name?.givenName,
    last_name: person.name?.familyName,
    location: person.location,
    city: person.geo?.city,
    state: person.geo?.state,
    country: person.geo?.country,
    lat: person.geo?.lat,
    lng: person.geo?.lng,
    bio: person.bio,
    site: person.site,
    avatar: person.avatar,
  };
  const profile: Record<string, string | number> = {};
  for (const [field, value] of Object.entries(candidates)) {
    if (value !== null && value !== undefined) profile[field] = value;
  }
  return profile;
}

function defaultAnswer(email: string): Expanded {
  const normalized = email.trim().toLowerCase();
  const at = normalized.lastIndexOf('@');
  if (at <= 0 || at === normalized.length - 1) return RULE_INVALID;
  const local = normalized.slice(0, at);
  if (FAKE_CLEARBIT_ROLE_LOCAL_PARTS.includes(local)) return RULE_INVALID;
  if (local.startsWith('nobody')) return RULE_NOT_FOUND;
  if (local.startsWith('slow')) return RULE_SLOW;
  return RULE_PERSON;
}

function readKey(header: string | undefined): {
  auth: FakeClearbitRequest['auth'];
  key: string | null;
} {
  if (header === undefined || header.trim() === '') return { auth: 'none', key: null };
  const match = /^(\S+)\s+(.*)$/u.exec(header.trim());
  const scheme = match?.[1]?.toLowerCase();
  const value = match?.[2]?.trim() ?? '';
  if (scheme === 'bearer') return { auth: 'bearer', key: value };
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { auth: 'basic', key: colon < 0 ? decoded : decoded.slice(0, colon) };
  }
  return { auth: 'other', key: null };
}

/** `['de', 'morgan']` → `De Morgan`, capped as core caps names. */
function nameOf(parts: readonly string[]): string {
  const name = parts.map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join(' ');
  if (name.length <= MAX_NAME_LENGTH) return name;
  let capped = '';
  let count = 0;
  for (const char of name) {
    if (count === MAX_NAME_LENGTH) break;
    capped += char;
    count += 1;
  }
  return capped.trimEnd();
}

function urlOrNull(url: string): string | null {
  return url.length <= MAX_URL_LENGTH ? url : null;
}

function uuidFrom(value: string): string {
  const hex = createHash('sha1').update(value).digest('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `4${hex.slice(13, 16)}`,
    `8${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}

function errorEnvelope(type: string, message: string): Record<string, unknown> {
  return { error: { type, message } };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
