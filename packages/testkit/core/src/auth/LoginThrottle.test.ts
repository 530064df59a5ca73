import test, { type ExecutionContext } from 'ava';
import { createPlaza } from '../createPlaza.js';
import {
  ConfigError,
  PlazaError,
  TOO_MANY_LOGINS_MESSAGE,
  WRONG_CREDENTIALS_MESSAGE,
} from '../errors.js';
import { silentLogger } from '../logger.js';
import {
  aUser,
  databaseUrlIn,
  FAST_SCRYPT,
  freshDatabaseUrl,
  migratedDatabase,
  recordingLogger,
  rejectsWithPlazaError,
  STRONG_PASSWORD,
  temporaryDirectory,
  TEST_JWT_SECRET,
} from '@plaza/testkit';
import { PasswordPolicy } from '../users/PasswordPolicy.js';
import { User, usernameKey } from '../users/User.js';
import { AuthService } from './AuthService.js';
import {
  DEFAULT_LOGIN_THROTTLE,
  LoginThrottle,
  loginThrottleSettings,
  type LoginThrottleSettings,
} from './LoginThrottle.js';
import { PasswordHasher, type HashingLimits } from './PasswordHasher.js';
import { TokenIssuer } from './TokenIssuer.js';

/** Counts the scrypt verifications, real and dummy (which goes through `verify`), logins cost. */
class CountingHasher extends PasswordHasher {
  verifications = 0;

  override verify(storedHash: string, password: string): Promise<boolean> {
    this.verifications += 1;
    return super.verify(storedHash, password);
  }
}

const START = Date.UTC(2026, 11, 1, 12, 0, 0);
const WRONG = 'wrong-password-1';
const ELSEWHERE = '198.51.100.9';

interface Throttled {
  readonly auth: AuthService;
  readonly hasher: CountingHasher;
  readonly counters: () => Promise<Array<{ key: string; failures: number; lockouts: number }>>;
  /** Moves the throttle's clock on. */
  readonly advance: (seconds: number) => void;
}

/** An AuthService over a fresh database with the user "Ada", and a clock of its own. */
async function throttledAuth(
  t: ExecutionContext,
  settings: Partial<LoginThrottleSettings> = {},
  logger = silentLogger,
  hashing: Partial<HashingLimits> = {},
): Promise<Throttled> {
  const db = await migratedDatabase(t);
  let now = START;
  const hasher = new CountingHasher({ ...FAST_SCRYPT, r: 8, p: 1 }, hashing);
  const BoundUser = User.bindKnex(db);
  const createdAt = new Date(START).toISOString();
  await BoundUser.query().insert({
    username: 'Ada',
    username_key: usernameKey('Ada'),
    email: 'ada@example.com',
    email_verdict: 'skipped',
    // Hashed aside: `hashing` may leave this hasher no room.
    password_hash: await new PasswordHasher({ ...FAST_SCRYPT, r: 8, p: 1 }).hash(STRONG_PASSWORD),
    created_at: createdAt,
    updated_at: createdAt,
  });
  hasher.verifications = 0;
  const auth = new AuthService({
    User: BoundUser,
    policy: new PasswordPolicy({ minLength: 8, maxLength: 256 }),
    hasher,
    tokens: new TokenIssuer(TEST_JWT_SECRET, 3600),
    throttle: new LoginThrottle(db, { ...DEFAULT_LOGIN_THROTTLE, ...settings }, logger, () => now),
    logger,
  });
  return {
    auth,
    hasher,
    counters: () => db('throttle_counters').select('key', 'failures', 'lockouts').orderBy('key'),
    advance(seconds) {
      now += seconds * 1000;
    },
  };
}

const fail = (t: ExecutionContext, auth: AuthService, username = 'ada', clientIp?: string) =>
  rejectsWithPlazaError(
    t,
    auth.login({ username, password: WRONG }, clientIp === undefined ? {} : { clientIp }),
    { code: 'AUT_02', message: WRONG_CREDENTIALS_MESSAGE },
  );

const locked = async (
  t: ExecutionContext,
  attempt: Promise<unknown>,
  retryAfterSeconds: number,
): Promise<void> => {
  const error = await rejectsWithPlazaError(t, attempt, {
    code: 'AUT_03',
    field: undefined,
    message: TOO_MANY_LOGINS_MESSAGE,
  });
  t.is(error.retryAfterSeconds, retryAfterSeconds);
};

const rightPassword = { username: 'ada', password: STRONG_PASSWORD };

test('five failures lock the username: the sixth attempt is AUT_03, the right password too, and no hashing', async (t) => {
  const { auth, hasher } = await throttledAuth(t);
  for (let i = 0; i < 5; i += 1) await fail(t, auth);
  t.is(hasher.verifications, 5);

  await locked(t, auth.login(rightPassword), 900);
  await locked(t, auth.login({ username: 'ada', password: WRONG }), 900);
  t.is(hasher.verifications, 5, 'a locked account lets no attempt reach scrypt');
});

test('the lockout ends on time, and the answer says how long is left', async (t) => {
  const { auth, advance } = await throttledAuth(t);
  for (let i = 0; i < 5; i += 1) await fail(t, auth);
  advance(600);
  await locked(t, auth.login(rightPassword), 300);
  advance(299.5);
  await locked(t, auth.login(rightPassword), 1);
  advance(0.5);
  t.is((await auth.login(rightPassword)).userId, 1);
});

test('failures older than the window are not counted together', async (t) => {
  const { auth, advance } = await throttledAuth(t);
  for (let i = 0; i < 4; i += 1) await fail(t, auth);
  advance(900);
  for (let i = 0; i < 4; i += 1) await fail(t, auth);
  t.is((await auth.login(rightPassword)).userId, 1, 'eight failures, but never five in a window');
});

test('each lockout of a username lasts twice the one before, up to the maximum', async (t) => {
  const { auth, advance } = await throttledAuth(t, { lockoutMaxSeconds: 3600 });
  for (const seconds of [900, 1800, 3600, 3600]) {
    for (let i = 0; i < 5; i += 1) await fail(t, auth);
    await locked(t, auth.login(rightPassword), seconds);
    advance(seconds);
  }
  t.is((await auth.login(rightPassword)).userId, 1);
});

test('a successful login clears the username count and its lockout history', async (t) => {
  const { auth, advance, counters } = await throttledAuth(t);
  for (let i = 0; i < 5; i += 1) await fail(t, auth);
  advance(900);
  t.is((await auth.login(rightPassword)).userId, 1);
  t.deepEqual(await counters(), []);

  for (let i = 0; i < 4; i += 1) await fail(t, auth);
  t.is((await auth.login(rightPassword)).userId, 1, 'four new failures do not lock');
  for (let i = 0; i < 5; i += 1) await fail(t, auth);
  // The next lockout is the first again.
  await locked(t, auth.login(rightPassword), 900);
});

test('an unknown username is counted and locked exactly as a known one, with the same answers', async (t) => {
  const { auth, hasher } = await throttledAuth(t);
  for (let i = 0; i < 5; i += 1) await fail(t, auth, 'nobody');
  t.is(hasher.verifications, 5, 'each failure cost one (dummy) verification');
  await locked(t, auth.login({ username: 'nobody', password: WRONG }), 900);
  t.is(hasher.verifications, 5);
  t.is((await auth.login(rightPassword)).userId, 1, 'other usernames are not affected');
});

test('"Ada", "ADA" and "ａｄａ" share one count; the counter does not hold the username', async (t) => {
  const { auth, counters } = await throttledAuth(t, { maxFailures: 6 });
  for (const username of ['Ada', 'ADA', 'ａｄａ', 'ada', 'aDa']) await fail(t, auth, username);
  const [counter] = await counters();
  t.is(counter?.failures, 5);
  t.regex(counter?.key ?? '', /^user:[0-9a-f]{64}$/);
  await fail(t, auth, 'ADA');
  await locked(t, auth.login(rightPassword), 900);
});

test('twenty concurrent failures are all counted, per pair, address and name', async (t) => {
  const { auth, counters } = await throttledAuth(t, { maxFailures: 100, ipMaxFailures: 100 });
  await Promise.all(
    Array.from({ length: 20 }, () =>
      t.throwsAsync(auth.login({ username: 'ada', password: WRONG }, { clientIp: ELSEWHERE }), {
        instanceOf: PlazaError,
      }),
    ),
  );
  t.deepEqual(
    (await counters()).map(({ key, failures }) => [key.slice(0, key.indexOf(':')), failures]),
    [
      ['ip', 20],
      ['name', 20],
      ['pair', 20],
    ],
  );
});

test('twenty concurrent failures against the default limit: five are hashed, then the username is locked', async (t) => {
  const { auth, counters, hasher } = await throttledAuth(t);
  const answers = await Promise.allSettled(
    Array.from({ length: 20 }, () => auth.login({ username: 'ada', password: WRONG })),
  );
  const codes = answers.map((answer) =>
    answer.status === 'rejected' && answer.reason instanceof PlazaError ? answer.reason.code : '',
  );
  t.true(
    codes.every((code) => code === 'AUT_02' || code === 'AUT_03' || code === 'RAT_01'),
    codes.join(),
  );
  t.is(codes.filter((code) => code === 'AUT_02').length, 5, codes.join());
  t.is(hasher.verifications, 5, 'each attempt is reserved before hashing');
  t.like(await counters(), [{ failures: 0, lockouts: 1 }]);
  await locked(t, auth.login(rightPassword), 900);
});

test('a hundred concurrent attempts from one address at a limit of 3: three are hashed', async (t) => {
  const { auth, hasher } = await throttledAuth(t, { maxFailures: 3 });
  const answers = await Promise.allSettled(
    Array.from({ length: 100 }, () =>
      auth.login({ username: 'ada', password: WRONG }, { clientIp: ELSEWHERE }),
    ),
  );
  t.is(answers.filter((answer) => answer.status === 'rejected').length, 100);
  t.is(hasher.verifications, 3);
  await locked(t, auth.login(rightPassword, { clientIp: ELSEWHERE }), 900);
  t.is((await auth.login(rightPassword, { clientIp: '192.0.2.99' })).userId, 1);
});

test('lock the pair, slow the name: past the name-wide limit only clean addresses may try', async (t) => {
  const { auth, hasher } = await throttledAuth(t, { maxFailures: 3, nameMaxFailures: 6 });
  for (let i = 0; i < 3; i += 1) await fail(t, auth, 'ada', '192.0.2.1');
  await locked(t, auth.login(rightPassword, { clientIp: '192.0.2.1' }), 900);
  t.is((await auth.login(rightPassword, { clientIp: '192.0.2.2' })).userId, 1, 'pair only');

  for (let i = 0; i < 3; i += 1) await fail(t, auth, 'ada', '192.0.2.3');
  // Six failures of the name: it is slowed. A clean address gets one attempt...
  await fail(t, auth, 'ada', '192.0.2.4');
  const spent = hasher.verifications;
  // ...and once it has failed, no more while the name is slowed (its pair is not locked).
  await locked(t, auth.login(rightPassword, { clientIp: '192.0.2.4' }), 900);
  t.is(hasher.verifications, spent);
  // The owner, from an address that has not failed for the name, still gets in.
  t.is((await auth.login(rightPassword, { clientIp: '192.0.2.2' })).userId, 1);
  t.is((await auth.login(rightPassword, { clientIp: '192.0.2.5' })).userId, 1);
});

test('an attempt refused by a full hash queue (OFF_01) is not counted as a failure', async (t) => {
  // No room at all: every hash is refused as if the queue were full.
  const { auth, counters } = await throttledAuth(t, {}, silentLogger, {
    concurrency: 0,
    queue: 0,
  });
  for (let i = 0; i < 6; i += 1) {
    await rejectsWithPlazaError(
      t,
      auth.login({ username: 'ada', password: WRONG }, { clientIp: ELSEWHERE }),
      { code: 'OFF_01' },
    );
  }
  t.deepEqual(
    (await counters()).map(({ failures, lockouts }) => [failures, lockouts]),
    [
      [0, 0],
      [0, 0],
    ],
    'the pair and the address hold nothing, and nothing is locked',
  );
});

test('password checks are rate limited per account and per address, right ones too: RAT_01', async (t) => {
  const { auth } = await throttledAuth(t, { accountLoginsPerMinute: 3, ipLoginsPerMinute: 5 });
  for (let i = 0; i < 3; i += 1) {
    t.is((await auth.login(rightPassword, { clientIp: `192.0.2.${i}` })).userId, 1);
  }
  const error = await rejectsWithPlazaError(
    t,
    auth.login(rightPassword, { clientIp: '192.0.2.9' }),
    {
      code: 'RAT_01',
    },
  );
  t.is(error.retryAfterSeconds, 20);

  for (let i = 0; i < 5; i += 1) await fail(t, auth, `someone${i}`, '198.51.100.1');
  await rejectsWithPlazaError(
    t,
    auth.login({ username: 'other', password: WRONG }, { clientIp: '198.51.100.1' }),
    {
      code: 'RAT_01',
    },
  );
});

test('the per-client limit refuses a client spraying many usernames, and only that client', async (t) => {
  const { auth, hasher } = await throttledAuth(t, { ipMaxFailures: 10 });
  const sprayer = '192.0.2.7';
  for (let i = 0; i < 10; i += 1) await fail(t, auth, `guess${i}`, sprayer);
  const spent = hasher.verifications;

  await locked(t, auth.login({ username: 'guess99', password: WRONG }, { clientIp: sprayer }), 900);
  await locked(t, auth.login(rightPassword, { clientIp: sprayer }), 900);
  t.is(hasher.verifications, spent);
  t.is((await auth.login(rightPassword, { clientIp: ELSEWHERE })).userId, 1);
  await fail(t, auth, 'guess99', ELSEWHERE);
  // A success does not clear the client's count.
  await locked(t, auth.login(rightPassword, { clientIp: sprayer }), 900);
});

test('an IPv6 client is counted by its /64, and an IPv4-mapped address as IPv4', async (t) => {
  const { auth, counters } = await throttledAuth(t, { ipMaxFailures: 3 });
  await fail(t, auth, 'one', '2001:db8:1:2::1');
  await fail(t, auth, 'two', '2001:DB8:1:2:ffff:eeee:dddd:cccc');
  await fail(t, auth, 'three', '2001:db8:1:2:0:0:0:3');
  await locked(t, auth.login(rightPassword, { clientIp: '2001:db8:1:2::99' }), 900);
  t.is((await auth.login(rightPassword, { clientIp: '2001:db8:1:3::1' })).userId, 1);

  await fail(t, auth, 'four', '::ffff:192.0.2.1');
  const keys = (await counters())
    .filter(({ key, failures, lockouts }) => key.startsWith('ip:') && failures + lockouts > 0)
    .map(({ key }) => key);
  t.deepEqual(keys, ['ip:192.0.2.1', 'ip:2001:db8:1:2::/64']);
});

test('a limit of 0 turns that count off', async (t) => {
  const { auth, counters } = await throttledAuth(t, {
    maxFailures: 0,
    ipMaxFailures: 0,
    nameMaxFailures: 0,
  });
  for (let i = 0; i < 12; i += 1) await fail(t, auth, 'ada', ELSEWHERE);
  t.is((await auth.login(rightPassword, { clientIp: ELSEWHERE })).userId, 1);
  t.deepEqual(await counters(), []);
});

test('a limit of 1 locks at the first failure', async (t) => {
  const { auth } = await throttledAuth(t, { maxFailures: 1 });
  await fail(t, auth);
  await locked(t, auth.login(rightPassword), 900);
});

test('a counter left alone for the longest lockout starts over, and the sweep deletes it', async (t) => {
  const { auth, advance, counters } = await throttledAuth(t, { lockoutMaxSeconds: 7200 });
  for (let i = 0; i < 5; i += 1) await fail(t, auth);
  advance(900);
  for (let i = 0; i < 5; i += 1) await fail(t, auth);
  await locked(t, auth.login(rightPassword), 1800);
  advance(1800 + 7200);
  // Quiet for the longest lockout after the last one ended: the history is forgotten.
  for (let i = 0; i < 5; i += 1) await fail(t, auth);
  await locked(t, auth.login(rightPassword), 900);

  await fail(t, auth, 'nobody');
  advance(900 + 7200);
  await fail(t, auth, 'someone-else');
  const left = await counters();
  t.is(left.length, 1, 'only the new counter is left');
  t.is(left[0]?.failures, 1);
});

test('a lockout is logged, without the username', async (t) => {
  const { logger, calls } = recordingLogger();
  const { auth } = await throttledAuth(t, { ipMaxFailures: 5 }, logger);
  for (let i = 0; i < 5; i += 1) await fail(t, auth, 'ada', ELSEWHERE);
  const lockouts = calls.filter((call) => call.message === 'too many failed logins: locked out');
  t.deepEqual(
    lockouts.map((call) => call.fields),
    [
      { locked: 'ip', client: ELSEWHERE, lockouts: 1, seconds: 900 },
      { locked: 'pair', client: ELSEWHERE, lockouts: 1, seconds: 900 },
    ],
  );
  t.false(JSON.stringify(calls).toLowerCase().includes('ada'));
});

test('the counts survive a restart: a new Plaza on the same database is still locked', async (t) => {
  const databaseUrl = databaseUrlIn(await temporaryDirectory(t));
  const options = { databaseUrl, jwtSecret: TEST_JWT_SECRET, scrypt: FAST_SCRYPT };
  const before = await createPlaza(options);
  const input = aUser();
  await before.users.signUp(input);
  for (let i = 0; i < 5; i += 1) {
    await rejectsWithPlazaError(t, before.auth.login({ ...input, password: WRONG }), {
      code: 'AUT_02',
    });
  }
  await before.close();

  const after = await createPlaza(options);
  t.teardown(() => after.close());
  const error = await rejectsWithPlazaError(t, after.auth.login(input), { code: 'AUT_03' });
  t.true((error.retryAfterSeconds ?? 0) > 890 && (error.retryAfterSeconds ?? 0) <= 900);
});

test('createPlaza takes the limits from its options', async (t) => {
  const plaza = await createPlaza({
    databaseUrl: freshDatabaseUrl(),
    jwtSecret: TEST_JWT_SECRET,
    scrypt: FAST_SCRYPT,
    loginThrottle: { maxFailures: 2, lockoutSeconds: 60 },
  });
  t.teardown(() => plaza.close());
  const input = aUser();
  await plaza.users.signUp(input);
  for (let i = 0; i < 2; i += 1) {
    await rejectsWithPlazaError(t, plaza.auth.login({ ...input, password: WRONG }), {
      code: 'AUT_02',
    });
  }
  const error = await rejectsWithPlazaError(t, plaza.auth.login(input), { code: 'AUT_03' });
  t.is(error.retryAfterSeconds, 60);
});

const badSettings: ReadonlyArray<Partial<LoginThrottleSettings>> = [
  { maxFailures: -1 },
  { ipMaxFailures: 1.5 },
  { windowSeconds: 0 },
  { lockoutSeconds: 0 },
  { lockoutSeconds: 600, lockoutMaxSeconds: 300 },
];

for (const settings of badSettings) {
  test(`loginThrottle ${JSON.stringify(settings)} is a ConfigError`, (t) => {
    t.throws(() => loginThrottleSettings(settings), { instanceOf: ConfigError });
  });
}
