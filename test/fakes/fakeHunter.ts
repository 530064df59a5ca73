import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listenOnLoopback.js';
import { trickle } from './trickle.js';

/**
 * A local imitation of Hunter's email verifier (`GET /v2/email-verifier?email=E&api_key=K`)
 * for integration tests. It answers with Hunter's envelopes and status codes as described
 * in PROVIDERS.md. Self-contained on purpose: it must not import @plaza/core.
 */

/** Hunter's documented `data.status` values. */
export type HunterStatus =
  'valid' | 'invalid' | 'accept_all' | 'webmail' | 'disposable' | 'unknown';

/**
 * What the fake answers for one address.
 * - a status (`'valid'`, ...): 200 with that `data.status` and a matching deprecated `result`;
 * - `'hang'`: the request is accepted and never answered (until `close()`);
 * - `{ kind: 'status', status, result: false }`: 200 without the deprecated `result`;
 * - `{ kind: 'pending', httpStatus: 202 | 222, times, then }`: `times` answers of 202/222
 *   (default 1; `Infinity` for "still verifying forever"), then `then` (default: the rules);
 * - `{ kind: 'error', httpStatus, id?, details? }`: Hunter's errors envelope
 *   (e.g. 400 invalid_email / wrong_params, 401, 403, 429, 451 claimed_email, 500);
 * - `{ kind: 'text', httpStatus, body, contentType? }`: a non-JSON body (502 from a proxy,
 *   or garbage with 200).
 * - `{ kind: 'trickle', httpStatus?, body?, intervalMs? }`: headers at once, then the body one
 *   byte every `intervalMs` (default 200); default 200 with a `valid` verdict, so only a
 *   deadline that covers the body stops a client from accepting it.
 * - `{ kind: 'held', until, then? }`: no answer until the promise `until` settles, then
 *   `then` (default: the rules); lets a test act while a request is surely in flight.
 */
export type FakeHunterAnswer =
  | HunterStatus
  | 'hang'
  | { readonly kind: 'status'; readonly status: HunterStatus; readonly result?: boolean }
  | {
      readonly kind: 'pending';
      readonly httpStatus?: 202 | 222;
      readonly times?: number;
      readonly then?: FakeHunterAnswer;
    }
  | {
      readonly kind: 'error';
      readonly httpStatus: number;
      readonly id?: string;
      readonly details?: string;
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
  | { readonly kind: 'hang' }
  | {
      readonly kind: 'held';
      readonly until: Promise<unknown>;
      readonly then?: FakeHunterAnswer;
    };

export interface FakeHunterRequest {
  /** The `email` query parameter, or `null` when it was missing. */
  readonly email: string | null;
  /** Whether the request carried the right key (the key itself is not recorded). */
  readonly authorized: boolean;
}

export interface FakeHunter {
  /** Base URL to give the verifier, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** The key the fake accepts; any other key gets a 401. */
  readonly apiKey: string;
  /** Email-verifier requests received so far, in order (a copy). */
  readonly requests: readonly FakeHunterRequest[];
  /** Script the answer for one address (compared case-insensitively); replaces the rules. */
  respondWith(email: string, answer: FakeHunterAnswer): void;
  /** Forget scripted answers, pending counters and received requests. */
  reset(): void;
  /** Stops listening and drops open connections, hanging ones included. */
  close(): Promise<void>;
}

export interface FakeHunterOptions {
  /** The key to accept; default {@link FAKE_HUNTER_API_KEY}. */
  readonly apiKey?: string;
}

export const FAKE_HUNTER_API_KEY = 'fake-hunter-api-key';

const DISPOSABLE_DOMAINS = [
  'mailinator.com',
  'guerrillamail.com',
  '10minutemail.com',
  'yopmail.com',
];

const RESULT_OF: Record<HunterStatus, 'deliverable' | 'undeliverable' | 'risky'> = {
  valid: 'deliverable',
  webmail: 'deliverable',
  invalid: 'undeliverable',
  accept_all: 'risky',
  disposable: 'risky',
  unknown: 'risky',
};

const DEFAULT_ERROR_IDS: Record<number, string> = {
  400: 'wrong_params',
  401: 'authentication_failed',
  403: 'too_many_requests',
  429: 'too_many_requests',
  451: 'claimed_email',
};

/**
 * Starts the fake on 127.0.0.1 with a free port. Unscripted addresses follow the same rules
 * as core's FakeEmailVerifier: no `@` → 400 invalid_email; a `.invalid` domain or a local part
 * starting with `undeliverable` → `invalid`; a known throwaway domain → `disposable`; else `valid`.
 *
 * @example const hunter = await startFakeHunter(); hunter.respondWith('a@b.com', { kind: 'error', httpStatus: 500 })
 */
export async function startFakeHunter(options: FakeHunterOptions = {}): Promise<FakeHunter> {
  const apiKey = options.apiKey ?? FAKE_HUNTER_API_KEY;
  const scripted = new Map<string, FakeHunterAnswer>();
  const pendingServed = new Map<string, number>();
  const requests: FakeHunterRequest[] = [];

  const server = createServer((req, res) => {
    handle(req, res);
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake-hunter');
    if (req.method !== 'GET' || url.pathname !== '/v2/email-verifier') {
      sendJson(res, 404, errorsEnvelope('not_found', 404, 'This route does not exist.'));
      return;
    }
    const email = url.searchParams.get('email');
    const givenKey = url.searchParams.get('api_key') ?? headerValue(req.headers['x-api-key']);
    const authorized = givenKey === apiKey;
    requests.push({ email, authorized });

    if (!authorized) {
      sendJson(
        res,
        401,
        errorsEnvelope('authentication_failed', 401, 'No user found for the API key supplied'),
      );
      return;
    }
    if (email === null || email === '') {
      sendJson(
        res,
        400,
        errorsEnvelope('wrong_params', 400, 'You are missing the email parameter'),
      );
      return;
    }
    const key = email.toLowerCase();
    answer(res, email, key, scripted.get(key) ?? defaultAnswer(email));
  }

  function answer(
    res: ServerResponse,
    email: string,
    key: string,
    scriptedAnswer: FakeHunterAnswer,
  ): void {
    const a = typeof scriptedAnswer === 'string' ? expand(scriptedAnswer) : scriptedAnswer;
    switch (a.kind) {
      case 'hang':
        return; // never answered; close() drops the connection
      case 'status':
        sendJson(res, 200, verdictEnvelope(email, a.status, a.result ?? true));
        return;
      case 'pending': {
        const served = pendingServed.get(key) ?? 0;
        if (served < (a.times ?? 1)) {
          pendingServed.set(key, served + 1);
          // Hunter's body for 202/222 is undocumented; echo the address only, no verdict.
          sendJson(res, a.httpStatus ?? 202, { data: { email }, meta: { params: { email } } });
          return;
        }
        answer(res, email, key, a.then ?? defaultAnswer(email));
        return;
      }
      case 'error': {
        const id =
          a.id ??
          DEFAULT_ERROR_IDS[a.httpStatus] ??
          (a.httpStatus >= 500 ? 'internal_error' : 'error');
        sendJson(
          res,
          a.httpStatus,
          errorsEnvelope(id, a.httpStatus, a.details ?? `Fake Hunter answered ${a.httpStatus}.`),
        );
        return;
      }
      case 'text':
        res.writeHead(a.httpStatus, {
          'content-type': a.contentType ?? 'text/html; charset=utf-8',
        });
        res.end(a.body);
        return;
      case 'held': {
        const release = (): void => answer(res, email, key, a.then ?? defaultAnswer(email));
        a.until.then(release, release);
        return;
      }
      case 'trickle':
        trickle(
          res,
          a.httpStatus ?? 200,
          a.body ?? JSON.stringify(verdictEnvelope(email, 'valid', true)),
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
      const key = email.toLowerCase();
      scripted.set(key, scriptedAnswer);
      pendingServed.delete(key);
    },
    reset() {
      scripted.clear();
      pendingServed.clear();
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function expand(answer: HunterStatus | 'hang'): Exclude<FakeHunterAnswer, string> {
  return answer === 'hang' ? { kind: 'hang' } : { kind: 'status', status: answer };
}

function defaultAnswer(email: string): FakeHunterAnswer {
  const normalized = email.trim().toLowerCase();
  const at = normalized.lastIndexOf('@');
  if (at <= 0 || at === normalized.length - 1) {
    return { kind: 'error', httpStatus: 400, id: 'invalid_email', details: 'The email is invalid' };
  }
  const local = normalized.slice(0, at);
  const domain = normalized.slice(at + 1);
  if (domain === 'invalid' || domain.endsWith('.invalid') || local.startsWith('undeliverable')) {
    return 'invalid';
  }
  if (DISPOSABLE_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`))) return 'disposable';
  return 'valid';
}

function verdictEnvelope(
  email: string,
  status: HunterStatus,
  withResult: boolean,
): Record<string, unknown> {
  const data: Record<string, unknown> = {
    status,
    ...(withResult ? { result: RESULT_OF[status] } : {}),
    score: status === 'valid' ? 96 : status === 'invalid' ? 0 : 50,
    email,
    regexp: true,
    gibberish: false,
    disposable: status === 'disposable',
    webmail: status === 'webmail',
    mx_records: status !== 'invalid',
    smtp_server: status !== 'invalid',
    smtp_check: status === 'valid' || status === 'webmail',
    accept_all: status === 'accept_all',
    block: false,
    sources: [],
  };
  return { data, meta: { params: { email } } };
}

function errorsEnvelope(id: string, code: number, details: string): Record<string, unknown> {
  return { errors: [{ id, code, details }] };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function headerValue(value: string | string[] | undefined): string | null {
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}
