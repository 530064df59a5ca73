import { randomBytes } from 'node:crypto';
import test from 'ava';
import jwt from 'jsonwebtoken';
import { createPlaza, type Plaza } from '../createPlaza.js';
import {
  INVALID_TOKEN_MESSAGE,
  MISSING_PARAM_MESSAGE,
  WRONG_CREDENTIALS_MESSAGE,
} from '../errors.js';
import { silentLogger } from '../logger.js';
import {
  aUser,
  migratedDatabase,
  rejectsWithPlazaError,
  scryptCostOf,
  signedUpUser,
  STRONG_PASSWORD,
  TEST_JWT_SECRET,
  testOptions,
  testPlaza,
  untyped,
  without,
} from '@plaza/testkit';
import { PasswordPolicy } from '../users/PasswordPolicy.js';
import { User, usernameKey } from '../users/User.js';
import { AuthService } from './AuthService.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from './LoginThrottle.js';
import { PasswordHasher } from './PasswordHasher.js';
import { TokenIssuer } from './TokenIssuer.js';

let plaza: Plaza;
let ada: Awaited<ReturnType<typeof signedUpUser>>;
test.before(async () => {
  plaza = await createPlaza(testOptions());
  ada = await signedUpUser(plaza);
});
test.after.always(async () => {
  await plaza.close();
});

const now = (): number => Math.floor(Date.now() / 1000);
const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

// --- login ---------------------------------------------------------------------------------

test('login returns an HS256 token for the user, with sub, iat and exp', async (t) => {
  const issued = await plaza.auth.login({
    username: ada.input.username,
    password: ada.input.password,
  });
  t.is(issued.userId, ada.id);
  const decoded = jwt.decode(issued.token, { complete: true });
  if (decoded === null || typeof decoded.payload === 'string') return t.fail('not a JWT');
  t.is(decoded.header.alg, 'HS256');
  const { sub, iat, exp } = decoded.payload;
  t.is(sub, String(ada.id));
  t.true(typeof iat === 'number' && Math.abs(iat - now()) <= 5);
  t.is(exp, (iat ?? 0) + 3600, 'the default lifetime is JWT_TTL=3600 s');
  t.is(issued.expiresAt, new Date((exp ?? 0) * 1000).toISOString());
  t.is(await plaza.auth.verifyToken(issued.token), ada.id);
});

test('the username is matched whatever its case', async (t) => {
  const issued = await plaza.auth.login({
    username: ada.input.username.toUpperCase(),
    password: ada.input.password,
  });
  t.is(issued.userId, ada.id);
});

test('a wrong password and an unknown user get one and the same AUT_02', async (t) => {
  const wrongPassword = await rejectsWithPlazaError(
    t,
    plaza.auth.login({ username: ada.input.username, password: `${ada.input.password}!` }),
    { code: 'AUT_02', field: undefined, message: WRONG_CREDENTIALS_MESSAGE },
  );
  const unknownUser = await rejectsWithPlazaError(
    t,
    plaza.auth.login({ username: `${ada.input.username}nobody`, password: ada.input.password }),
    { code: 'AUT_02', field: undefined, message: WRONG_CREDENTIALS_MESSAGE },
  );
  t.deepEqual(
    { code: unknownUser.code, message: unknownUser.message, field: unknownUser.field },
    { code: wrongPassword.code, message: wrongPassword.message, field: wrongPassword.field },
  );
});

for (const field of ['username', 'password'] as const) {
  test(`login without ${field} is PAR_01 naming ${field}`, async (t) => {
    const credentials = without({ username: ada.input.username, password: 'x' }, field);
    await rejectsWithPlazaError(t, plaza.auth.login(untyped(credentials)), {
      code: 'PAR_01',
      field,
      message: MISSING_PARAM_MESSAGE,
    });
  });
}

test('login with a non-string password is USR_02, not a crash', async (t) => {
  await rejectsWithPlazaError(
    t,
    plaza.auth.login(untyped({ username: ada.input.username, password: { $ne: '' } })),
    { code: 'USR_02', field: 'password' },
  );
});

test('jwtTtlSeconds sets the token lifetime', async (t) => {
  const shortLived = await testPlaza(t, { jwtTtlSeconds: 120 });
  const { token } = await shortLived.users.signUp(aUser());
  const payload = jwt.decode(token, { json: true });
  t.is((payload?.exp ?? 0) - (payload?.iat ?? 0), 120);
});

/** Records what the hasher is asked to verify, and still does the work. */
class RecordingHasher extends PasswordHasher {
  readonly verified: Array<{ readonly storedHash: string; readonly password: string }> = [];

  override async verify(storedHash: string, password: string): Promise<boolean> {
    this.verified.push({ storedHash, password });
    return super.verify(storedHash, password);
  }
}

test('an unknown user costs one verification against a dummy hash; an over-long password none', async (t) => {
  const db = await migratedDatabase(t);
  const hasher = new RecordingHasher({ logN: 10, r: 8, p: 1 });
  const BoundUser = User.bindKnex(db);
  const auth = new AuthService({
    User: BoundUser,
    policy: new PasswordPolicy({ minLength: 8, maxLength: 256 }),
    hasher,
    tokens: new TokenIssuer(TEST_JWT_SECRET, 3600),
    throttle: new LoginThrottle(db, DEFAULT_LOGIN_THROTTLE, silentLogger),
    logger: silentLogger,
  });
  const storedHash = await hasher.hash(STRONG_PASSWORD);
  const createdAt = new Date().toISOString();
  await BoundUser.query().insert({
    username: 'ada',
    username_key: usernameKey('ada'),
    email: 'ada@example.com',
    email_verdict: 'skipped',
    password_hash: storedHash,
    created_at: createdAt,
    updated_at: createdAt,
  });

  await rejectsWithPlazaError(t, auth.login({ username: 'nobody', password: 'guess-one-1' }), {
    code: 'AUT_02',
  });
  t.is(hasher.verified.length, 1, 'the unknown user cost one scrypt verification');
  const dummy = hasher.verified[0];
  t.is(dummy?.password, 'guess-one-1');
  t.not(dummy?.storedHash, storedHash);
  t.deepEqual(scryptCostOf(dummy?.storedHash ?? ''), { logN: 10, r: 8, p: 1 });

  await rejectsWithPlazaError(t, auth.login({ username: 'ada', password: 'guess-two-2' }), {
    code: 'AUT_02',
  });
  t.is(hasher.verified.length, 2);
  t.deepEqual(hasher.verified[1], { storedHash, password: 'guess-two-2' });

  await rejectsWithPlazaError(t, auth.login({ username: 'ada', password: 'x'.repeat(257) }), {
    code: 'AUT_02',
  });
  t.is(hasher.verified.length, 2, 'an over-long password is refused before any hashing');

  t.is((await auth.login({ username: 'ada', password: STRONG_PASSWORD })).userId, 1);
});

// --- tokens --------------------------------------------------------------------------------

const sign = (
  payload: object,
  options: jwt.SignOptions = {},
  secret: string | Buffer = TEST_JWT_SECRET,
) => jwt.sign(payload, secret, { algorithm: 'HS256', ...options });

test('a token the test signs itself with the right key verifies (the control for the rest)', async (t) => {
  t.is(await plaza.auth.verifyToken(sign({ sub: String(ada.id), exp: now() + 60 })), ada.id);
});

test('a token issued a few seconds ahead of this clock (another instance) verifies', async (t) => {
  const token = sign({ sub: String(ada.id), iat: now() + 3, exp: now() + 3 + 3600 });
  t.is(await plaza.auth.verifyToken(token), ada.id);
});

const badTokens: ReadonlyArray<readonly [string, () => unknown]> = [
  ['garbage', () => 'not-a-token'],
  ['three dots of garbage', () => 'a.b.c'],
  ['the empty string', () => ''],
  ['a number', () => 42],
  ['undefined', () => undefined],
  ['null', () => null],
  ['an object', () => ({ token: ada.token })],
  [
    'alg none',
    () =>
      `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: String(ada.id), iat: now(), exp: now() + 3600 })}.`,
  ],
  [
    'one signed with another 32-byte key',
    () => sign({ sub: String(ada.id), exp: now() + 3600 }, {}, randomBytes(32)),
  ],
  [
    'one signed with HS512 and the right key',
    () => sign({ sub: String(ada.id), exp: now() + 3600 }, { algorithm: 'HS512' }),
  ],
  ['an expired one', () => sign({ sub: String(ada.id), iat: now() - 7200, exp: now() - 60 })],
  ['one without exp', () => sign({ sub: String(ada.id) }, { noTimestamp: true })],
  ['one without iat', () => sign({ sub: String(ada.id), exp: now() + 60 }, { noTimestamp: true })],
  [
    'one living a minute longer than JWT_TTL',
    () => sign({ sub: String(ada.id), iat: now(), exp: now() + 3600 + 60 }),
  ],
  [
    'one expiring in 2500',
    () => sign({ sub: String(ada.id), iat: now(), exp: Date.UTC(2500, 0, 1) / 1000 }),
  ],
  [
    'one issued a minute from now',
    () => sign({ sub: String(ada.id), iat: now() + 60, exp: now() + 120 }),
  ],
  ['one with sub "abc"', () => sign({ sub: 'abc', exp: now() + 3600 })],
  ['one with sub "0"', () => sign({ sub: '0', exp: now() + 3600 })],
  ['one with a numeric sub', () => sign({ sub: ada.id, exp: now() + 3600 })],
  ['one without sub', () => sign({ exp: now() + 3600 })],
  [
    'a real token with its payload swapped',
    () => {
      const [header, , signature] = ada.token.split('.');
      return `${header}.${base64url({ sub: String(ada.id + 1), exp: now() + 3600 })}.${signature}`;
    },
  ],
  [
    'one over 4096 characters',
    () => sign({ sub: String(ada.id), exp: now() + 3600, pad: 'x'.repeat(4096) }),
  ],
];

for (const [label, makeToken] of badTokens) {
  test(`verifyToken refuses ${label} with AUT_01 on TOKEN`, async (t) => {
    const token = makeToken();
    await rejectsWithPlazaError(t, plaza.auth.verifyToken(token), {
      code: 'AUT_01',
      field: 'TOKEN',
      message: INVALID_TOKEN_MESSAGE,
    });
  });
}

test('a token from sign-up verifies and checkToken echoes it with its user', async (t) => {
  t.is(await plaza.auth.verifyToken(ada.token), ada.id);
  t.deepEqual(await plaza.auth.checkToken({ token: ada.token }), {
    token: ada.token,
    user_id: ada.id,
  });
});

test('checkToken refuses a bad token with AUT_01 and a missing one with PAR_01', async (t) => {
  await rejectsWithPlazaError(t, plaza.auth.checkToken({ token: 'nope' }), {
    code: 'AUT_01',
    field: 'TOKEN',
  });
  await rejectsWithPlazaError(t, plaza.auth.checkToken(untyped({})), {
    code: 'PAR_01',
    field: 'token',
  });
  await rejectsWithPlazaError(t, plaza.auth.checkToken({ token: '' }), {
    code: 'PAR_01',
    field: 'token',
  });
});
