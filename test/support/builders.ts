import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Api, ApiResponse } from './http.js';

let sequence = 0;

/** A username no other test (or earlier run against a real server) has taken. */
export function uniqueUsername(prefix = 'user'): string {
  sequence += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${sequence}`;
}

/** A password that passes the strength check: 16 random characters. */
export function strongPassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Passwords as the original service's clients make them (8 random lowercase letters and
 * digits), drawn once: about 2 fresh draws in 10,000 contain a word and are refused.
 */
export const ORIGINAL_CLIENT_PASSWORDS = ['j2cg7ese', 'wh5um801', 'r8ny7skf', 'zm6iqjof'] as const;

/** Fields of a valid sign-up; override any of them. */
export function signUpFields(overrides: Record<string, string> = {}): Record<string, string> {
  const username = overrides['username'] ?? uniqueUsername();
  return {
    username,
    password: strongPassword(),
    email: `${username.toLowerCase()}@example.com`,
    ...overrides,
  };
}

export interface SignedUpUser {
  readonly userId: number;
  readonly token: string;
  readonly username: string;
  readonly password: string;
  readonly email: string;
}

/** How long a sign-up refused with OFF_01 is tried again before the test gives up. */
const OVERLOADED_PATIENCE_MS = 120_000;

/**
 * POST /user/data, tried again after OFF_01 as a client would: a real server hashes at the
 * default scrypt cost, and a test signing up fifty users at once (REAL_SERVER) fills its queue
 * of hashes, which refuses the rest for a moment (in process, the cost is low and it never does).
 */
async function postSignUp(api: Api, fields: Record<string, string>): Promise<ApiResponse> {
  const giveUpAt = Date.now() + OVERLOADED_PATIENCE_MS;
  for (;;) {
    const response = await api.post('/user/data', fields);
    if (response.status !== 503 || response.body['code'] !== 'OFF_01' || Date.now() > giveUpAt) {
      return response;
    }
    const retryAfter = Number(response.headers.get('retry-after') ?? '0');
    await delay(Math.max(250, Math.min(retryAfter * 1000, 5000)) * (0.5 + Math.random()));
  }
}

/** Signs a new user up through the API and returns their id and token. */
export async function signUp(
  api: Api,
  overrides: Record<string, string> = {},
): Promise<SignedUpUser> {
  const fields = signUpFields(overrides);
  const response = await postSignUp(api, fields);
  if (response.status !== 200) {
    throw new Error(`sign-up failed: ${response.status} ${response.text}`);
  }
  const data = response.body['data'] as { user_id: number; token: string };
  return {
    userId: data.user_id,
    token: data.token,
    username: fields['username'] as string,
    password: fields['password'] as string,
    email: fields['email'] as string,
  };
}

/** Creates a post through the API and returns its id. */
export async function createPost(
  api: Api,
  token: string,
  fields: Record<string, string> = {},
): Promise<number> {
  const response = await api.post(
    '/post/data',
    { title: 'A title', text: 'Some text', ...fields },
    { token },
  );
  if (response.status !== 200) throw new Error(`post failed: ${response.status} ${response.text}`);
  return (response.body['data'] as { post_id: number }).post_id;
}

/** Comments on a post through the API and returns the comment's id. */
export async function createComment(
  api: Api,
  token: string,
  postId: number,
  text = 'Nice post',
): Promise<number> {
  const response = await api.post('/post/comment', { post_id: postId, text }, { token });
  if (response.status !== 200) throw new Error(`comment failed: ${response.text}`);
  return (response.body['data'] as { comment_id: number }).comment_id;
}
