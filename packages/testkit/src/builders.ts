/**
 * Test data builders ("mothers") and small fixtures for the core's tests.
 * Nothing here is part of the public API.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import * as scryptDeclarations from 'scrypt-kdf';
import {
  createPlaza,
  type CreatePostInput,
  type EmailVerdict,
  type EmailVerifier,
  type Plaza,
  type PlazaOptions,
  type ScryptCost,
  type SignUpInput,
} from '@plaza/core';
import { freshDatabaseUrl, sharedDatabaseUrl, withDatabase } from './testDatabase.js';

// scrypt-kdf's declarations name named exports, but the module exports one default class.
const scrypt = (scryptDeclarations as unknown as { default: typeof scryptDeclarations }).default;

/** What the builders need from ava's `t`: a way to clean up after the test. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A JWT secret of the required 32+ bytes, so tests can sign their own tokens. */
export const TEST_JWT_SECRET = 'plaza-test-secret-0123456789-abcdefghij';

/** Cheap scrypt for tests; the OWASP cost takes ~0.5 s and 128 MiB a hash. */
export const FAST_SCRYPT = { logN: 10 } as const;

/** A password zxcvbn scores as strong and that relates to no builder's username or email. */
export const STRONG_PASSWORD = 'plum-kettle-orbit-42';

let sequence = 0;

/** A username that no other test of this process uses (letters and digits only). */
export const uniqueUsername = (prefix = 'user'): string =>
  `${prefix}${process.pid}x${(sequence += 1)}`;

/** A random 16-character password, as a password manager would make one. */
export const randomPassword = (): string => randomBytes(12).toString('base64url');

/**
 * Random 10-character passwords drawn once from crypto.randomBytes. About one fresh draw in
 * 10,000 scores below 3, so tests that must not flake use these.
 */
export const RANDOM_10_CHARACTER_PASSWORDS = [
  'SJxqA0zPxv',
  'opj1xpLhhk',
  'S9O9Z_f71X',
  'bw01z-W7or',
  'jSMTb4cxkg',
  'yvHx9NRbb2',
] as const;

/**
 * A password as the original service's clients make them (8 random lowercase letters and
 * digits), drawn once: about 2 fresh draws in 10,000 contain a word and score 1.
 */
export const ORIGINAL_CLIENT_PASSWORD = 'j2cg7ese';

/** Valid sign-up parameters for a fresh user; override any of them. */
export function aUser(overrides: Partial<SignUpInput> = {}): SignUpInput {
  const username = overrides.username ?? uniqueUsername();
  return { username, password: STRONG_PASSWORD, email: `${username}@example.com`, ...overrides };
}

let postSequence = 0;

/** Valid post parameters; override any of them. */
export function aPost(overrides: Partial<CreatePostInput> = {}): CreatePostInput {
  postSequence += 1;
  return {
    title: `Post number ${postSequence}`,
    text: `Text of post ${postSequence}.`,
    ...overrides,
  };
}

/**
 * Raw parameters as an HTTP body or a careless JS caller could send them (wrong types,
 * missing keys), passed where the typed input is expected.
 */
export const untyped = (raw: Readonly<Record<string, unknown>>): never => raw as never;

/** Parameters with one key removed (not set to undefined: really absent). */
export function without<T extends object>(
  value: T,
  key: keyof T & string,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([name]) => name !== key));
}

/** A fresh, empty folder under the OS temp dir, removed after the test. */
export async function temporaryDirectory(t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'plaza-core-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A SQLite file in `dir`, for what only SQLite has (a file beside it, its locks). */
export const sqliteUrl = (dir: string, name = 'plaza.sqlite'): string =>
  `sqlite:${join(dir, name)}`;

/** A database that instances given the same `dir` share: a SQLite file, or a PostgreSQL schema. */
export const databaseUrlIn = sharedDatabaseUrl;

/** Options for a fast test instance: a fresh database, cheap scrypt, a known JWT secret. */
export const testOptions = (overrides: PlazaOptions = {}): PlazaOptions => ({
  databaseUrl: freshDatabaseUrl(),
  jwtSecret: TEST_JWT_SECRET,
  scrypt: FAST_SCRYPT,
  ...overrides,
});

/** A Plaza closed when the test ends. */
export async function testPlaza(t: Teardown, overrides: PlazaOptions = {}): Promise<Plaza> {
  const plaza = await createPlaza(testOptions(overrides));
  t.teardown(() => plaza.close());
  return plaza;
}

/** Signs a user up and returns their id, token and the parameters used. */
export async function signedUpUser(
  plaza: Plaza,
  overrides: Partial<SignUpInput> = {},
): Promise<{ readonly id: number; readonly token: string; readonly input: SignUpInput }> {
  const input = aUser(overrides);
  const { user_id: id, token } = await plaza.users.signUp(input);
  return { id, token, input };
}

/** An email verifier that answers as told and remembers what it was asked. */
export class StubEmailVerifier implements EmailVerifier {
  readonly name = 'stub';
  readonly calls: string[] = [];
  readonly #answer: () => Promise<EmailVerdict>;

  constructor(answer: EmailVerdict | (() => Promise<EmailVerdict>)) {
    this.#answer = typeof answer === 'function' ? answer : () => Promise.resolve(answer);
  }

  verify(email: string): Promise<EmailVerdict> {
    this.calls.push(email);
    return this.#answer();
  }
}

export interface UserRow {
  readonly id: number;
  readonly username: string;
  readonly username_key: string;
  readonly email: string;
  readonly email_verdict: string;
  readonly password_hash: string;
  readonly [column: string]: unknown;
}

/**
 * Inserts `count` users straight into the users table of a migrated database, named user1,
 * user2, … (no sign-up: no password hashing, no events), and returns their ids in order. For
 * tests of one service on a bare database.
 *
 * @example const [ada = 0, bob = 0] = await insertUsers(await migratedDatabase(t), 2)
 */
export async function insertUsers(db: Knex, count: number): Promise<number[]> {
  const createdAt = new Date().toISOString();
  const userIds: number[] = [];
  for (let n = 1; n <= count; n += 1) {
    const [row] = await db('users')
      .insert({
        username: `user${n}`,
        username_key: `user${n}`,
        email: `user${n}@example.com`,
        email_verdict: 'skipped',
        password_hash: 'not-a-hash',
        created_at: createdAt,
        updated_at: createdAt,
      })
      .returning<Array<{ id: number }>>('id');
    if (row === undefined) throw new Error(`inserting user${n} returned no id`);
    userIds.push(row.id);
  }
  return userIds;
}

/** Reads the users table directly, with a connection of the test's own. */
export function readUsers(databaseUrl: string): Promise<UserRow[]> {
  return withDatabase(
    databaseUrl,
    async (db) => (await db('users').select('*').orderBy('id')) as UserRow[],
  );
}

/** The scrypt cost recorded inside a stored (base64) password hash. */
export const scryptCostOf = (storedHash: string): ScryptCost =>
  scrypt.viewParams(Buffer.from(storedHash, 'base64'));
