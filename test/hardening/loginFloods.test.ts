import test, { type ExecutionContext } from 'ava';
import type { PlazaOptions } from '@plaza/core';
import { signUp, type SignedUpUser } from '../support/builders.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';

// Bursts of logins sent together over real loopback HTTP (one request per connection, all
// in flight at once), as issue 13 found them getting past the failed-login lockout and
// starving every other user's logins.

const ATTACKER = '203.0.113.5';
const OWNER = '203.0.113.6';
const BYSTANDER = '198.51.100.20';

/** A server of this test's own that believes X-Forwarded-For (one proxy), and a client. */
async function serverFor(
  t: ExecutionContext,
  plaza: Partial<PlazaOptions> = {},
): Promise<{ api: Api; target: InProcessTarget }> {
  const target = await startInProcessTarget(plaza, { trustProxy: true });
  t.teardown(() => target.close());
  return { api: new Api(target.baseUrl), target };
}

const login = (api: Api, username: string, password: string, from: string) =>
  api.post('/api-token-auth/', { username, password }, { headers: { 'x-forwarded-for': from } });

/** How many scrypt computations the server has logged so far. */
const hashesComputed = (target: InProcessTarget): number =>
  target
    .logs()
    .split('\n')
    .filter((line) => line.includes('"msg":"password hash computed"')).length;

const tally = (answers: readonly ApiResponse[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const code = answer.body['code'];
    const key = `${answer.status} ${typeof code === 'string' ? code : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

/**
 * Answers that let nobody in: wrong (hashed), locked, too many at once, or (past an account's
 * few waiting hashes) overloaded, which is not counted as a guess.
 */
const refusedOrWrong = (counts: Record<string, number>): number =>
  (counts['401 AUT_02'] ?? 0) +
  (counts['429 AUT_03'] ?? 0) +
  (counts['429 RAT_01'] ?? 0) +
  (counts['503 OFF_01'] ?? 0);

test('200 parallel wrong guesses for one username: at most 5 are hashed, then the pair is locked', async (t) => {
  const { api, target } = await serverFor(t);
  const ada = await signUp(api);
  const before = hashesComputed(target);

  const answers = await Promise.all(
    Array.from({ length: 200 }, () => login(api, ada.username, 'wrong-pw-1', ATTACKER)),
  );
  const counts = tally(answers);
  t.log('200-guess burst:', counts, `hashes computed: ${hashesComputed(target) - before}`);
  t.true((counts['401 AUT_02'] ?? 0) <= 5, `answered after hashing: ${JSON.stringify(counts)}`);
  // Refused before hashing: AUT_03 once locked; RAT_01 while the attempts are all in flight.
  t.is(refusedOrWrong(counts), 200, JSON.stringify(counts));
  t.true(hashesComputed(target) - before <= 5, 'scrypt ran at most the limit');
  for (const answer of answers.filter((each) => each.status === 429)) {
    t.true(Number(answer.headers.get('retry-after')) > 0);
  }

  const spent = hashesComputed(target);
  const right = await login(api, ada.username, ada.password, ATTACKER);
  t.is(right.status, 429, 'the right password from the guessing address is refused too');
  t.like(right.body, { code: 'AUT_03' });
  t.is(hashesComputed(target), spent, 'and costs no hashing');
  // The pair is locked, not the name: the owner, elsewhere, still gets in.
  t.is((await login(api, ada.username, ada.password, OWNER)).status, 200);
});

test('180 parallel guesses from one address (30 usernames × 6) lock none of the 30 owners out', async (t) => {
  const { api, target } = await serverFor(t);
  const owners: SignedUpUser[] = [];
  for (let i = 0; i < 30; i += 1) owners.push(await signUp(api));
  const before = hashesComputed(target);

  const answers = await Promise.all(
    owners.flatMap((owner) =>
      Array.from({ length: 6 }, (_, i) => login(api, owner.username, `wrong-pw-${i}`, ATTACKER)),
    ),
  );
  const counts = tally(answers);
  t.log('180-request spray:', counts, `hashes computed: ${hashesComputed(target) - before}`);
  t.true((counts['401 AUT_02'] ?? 0) <= 50, 'at most the per-address limit was hashed');
  t.is(refusedOrWrong(counts), 180, JSON.stringify(counts));

  const fromElsewhere = await Promise.all(
    owners.map((owner) => login(api, owner.username, owner.password, OWNER)),
  );
  t.deepEqual(
    fromElsewhere.map((answer) => answer.status),
    owners.map(() => 200),
    'every owner logs in from an address that never failed for their name',
  );
  t.is((await login(api, owners[0]!.username, owners[0]!.password, ATTACKER)).status, 429);
});

test('220 concurrent right-password logins of one account leave other users’ logins alone', async (t) => {
  // A hash that takes a moment (about 20–60 ms), so that the flood really queues.
  const { api } = await serverFor(t, { scrypt: { logN: 14 } });
  const flooded = await signUp(api);
  const other = await signUp(api);

  const flooding = { done: false };
  const flood = Promise.all(
    Array.from({ length: 220 }, () => login(api, flooded.username, flooded.password, ATTACKER)),
  ).finally(() => {
    flooding.done = true;
  });
  const others: ApiResponse[] = [];
  // At least five logins of the other user, and more for as long as the flood lasts.
  while (!flooding.done || others.length < 5) {
    others.push(await login(api, other.username, other.password, BYSTANDER));
  }
  const floodCounts = tally(await flood);
  const otherCounts = tally(others);
  t.log('flooder:', floodCounts, 'other user:', otherCounts);
  t.deepEqual(
    otherCounts,
    { ['200 OK']: others.length },
    'every login of the other user succeeded',
  );
  t.true((floodCounts['429 RAT_01'] ?? 0) > 0, 'the flooding account is slowed down');
  t.true((floodCounts['200 OK'] ?? 0) >= 1, 'and still gets its share');
  t.true(
    Object.keys(floodCounts).every((key) => ['200 OK', '429 RAT_01', '503 OFF_01'].includes(key)),
    JSON.stringify(floodCounts),
  );
});
