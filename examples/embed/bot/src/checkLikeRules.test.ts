import test from 'ava';
import fc from 'fast-check';
import { checkLikeRules, finalStateViolations, type LikeRuleViolation } from './checkLikeRules.js';
import { planLikes, type PlannedLike } from './planLikes.js';
import { seededRandom } from './random.js';

// Turns go 1, 2, 3, 4 (most posts first); at most 2 likes each.
const users = [
  { userId: 1, postIds: [10, 11, 12] },
  { userId: 2, postIds: [20, 21] },
  { userId: 3, postIds: [30] },
  { userId: 4, postIds: [] },
];
const MAX = 2;

const likes = (...pairs: (readonly [number, number])[]): PlannedLike[] =>
  pairs.map(([userId, postId]) => ({ userId, postId }));

/** 1 likes 20 and 30 (user 3 has none left), 2 likes 10 and 11, 3 likes 12 and 21: all liked. */
const valid = likes([1, 20], [1, 30], [2, 10], [2, 11], [3, 12], [3, 21]);

const check = (sequence: readonly PlannedLike[]): LikeRuleViolation[] =>
  checkLikeRules(users, sequence, MAX);

test('a sequence that keeps every rule passes', (t) => {
  t.deepEqual(check(valid), []);
});

test('stopping with posts without likes is fine when nobody may like anything', (t) => {
  t.deepEqual(checkLikeRules([{ userId: 1, postIds: [10] }], [], MAX), [], 'only their own');
  t.deepEqual(checkLikeRules(users, [], 0), [], 'a maximum of 0');
});

test('a self-like is caught', (t) => {
  t.deepEqual(check(likes([1, 20], [1, 10], [2, 11], [2, 12], [3, 21], [4, 30])), [
    { rule: 'self-like', detail: 'like #2: user 1 liked their own post 10' },
  ]);
});

test('a like over the maximum is caught, once', (t) => {
  t.deepEqual(check(likes([1, 20], [1, 30], [1, 21], [2, 10], [2, 11], [3, 12])), [
    { rule: 'over-maximum', detail: 'like #3: user 1 liked more than the maximum of 2 posts' },
  ]);
});

test('liking a post twice is caught, and does not count as a second like', (t) => {
  const violations = check(likes([1, 20], [1, 20], [1, 30], [2, 10], [2, 11], [3, 12], [3, 21]));
  t.deepEqual(violations, [
    { rule: 'duplicate-like', detail: 'like #2: user 1 liked post 20 a second time' },
  ]);
});

test('a like to an author whose posts all have likes is caught', (t) => {
  // After 1 likes 20 and 21, user 2 has no post without likes.
  t.deepEqual(check(likes([1, 20], [1, 21], [2, 10], [2, 11], [3, 20], [3, 12], [4, 30])), [
    {
      rule: 'liked-ineligible-author',
      detail:
        'like #5: user 3 liked post 20 of user 2, every one of whose posts already had a like',
    },
  ]);
});

test('a liker whose turn came earlier liking later is caught', (t) => {
  const violations = check(likes([1, 20], [1, 30], [3, 12], [2, 10], [2, 11], [3, 21]));
  t.true(
    violations.some(
      (v) =>
        v.rule === 'wrong-liker-order' &&
        v.detail === 'like #4: user 2 liked after user 3, but their turn (2 posts) came before it',
    ),
    JSON.stringify(violations),
  );
  const back = check(likes([1, 20], [2, 10], [2, 11], [1, 30], [3, 12], [3, 21]));
  t.true(
    back.some((v) => v.rule === 'wrong-liker-order' && v.detail.startsWith('like #4: user 1')),
    `a liker coming back after another: ${JSON.stringify(back)}`,
  );
});

test('a liker who stops with likes left and something to like is caught', (t) => {
  t.deepEqual(check(likes([1, 20], [2, 10], [2, 11], [3, 12], [3, 21], [4, 30])), [
    {
      rule: 'wrong-liker-order',
      detail:
        'like #2: user 1 stopped with 1 of 2 likes given while they could still like post 21, ' +
        'and user 2 went on',
    },
  ]);
});

test('passing over a liker who had something to like is caught', (t) => {
  // User 1 never likes, though user 2's and 3's posts were there for them.
  const violations = check(likes([2, 10], [2, 11], [3, 12], [3, 20]));
  t.deepEqual(violations[0], {
    rule: 'wrong-liker-order',
    detail: 'like #1: user 1 was passed over while they could like post 20, and user 2 went on',
  });
});

test('likes that stop while a post has none and someone could like it are caught', (t) => {
  t.deepEqual(check(valid.slice(0, -1)), [
    {
      rule: 'stopped-early',
      detail:
        'the likes stopped while post 21 still had none and user 3 (1 of 2 likes given) ' +
        'could still like post 20',
    },
  ]);
});

test('likes of unknown posts and by unknown users are caught', (t) => {
  const violations = check([...valid, { userId: 4, postId: 99 }, { userId: 9, postId: 10 }]);
  t.deepEqual(violations, [
    {
      rule: 'unknown-post',
      detail: "like #7: user 4 liked post 99, which is not one of the users' posts",
    },
    { rule: 'unknown-post', detail: 'like #8: user 9 is not one of the users (liked post 10)' },
  ]);
});

test('a plan that stopped once every post had a like, less its last like, stopped early', (t) => {
  const configuration = fc.record({
    postCounts: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 20 }),
    maxLikes: fc.integer({ min: 1, max: 6 }),
    seed: fc.integer(),
  });
  let checked = 0;
  t.notThrows(() => {
    fc.assert(
      fc.property(configuration, ({ postCounts, maxLikes, seed }) => {
        const authors = postCounts.map((count, index) => ({
          userId: index + 1,
          postIds: Array.from({ length: count }, (_, post) => 100 * (index + 1) + post),
        }));
        const plan = planLikes(authors, maxLikes, seededRandom(seed));
        fc.pre(plan.stoppedBecause === 'no-post-without-likes' && plan.likes.length > 0);
        checked += 1;
        const rules = checkLikeRules(authors, plan.likes.slice(0, -1), maxLikes).map((v) => v.rule);
        return rules.length === 1 && rules[0] === 'stopped-early';
      }),
      { numRuns: 200 },
    );
  });
  t.true(checked >= 100, `only ${checked} plans ended with every post liked`);
});

const likersOf = (entries: readonly (readonly [number, readonly number[]])[]) => new Map(entries);

/** The end state of `valid`. */
const validEnd: readonly (readonly [number, readonly number[]])[] = [
  [10, [2]],
  [11, [2]],
  [12, [3]],
  [20, [1]],
  [21, [3]],
  [30, [1]],
];

test('the end state of a sequence that keeps every rule passes', (t) => {
  t.deepEqual(finalStateViolations(users, likersOf(validEnd), MAX), []);
});

test('in the end state: self-likes, twice-listed likers and likes over the maximum are caught', (t) => {
  const end = likersOf([
    [10, [2, 1]],
    [11, [2]],
    [12, [3, 3]],
    [20, [1]],
    [21, [3]],
    [30, [1, 3]],
  ]);
  t.deepEqual(
    finalStateViolations(users, end, MAX).map((v) => `${v.rule}: ${v.detail}`),
    [
      'self-like: user 1 liked their own post 10',
      'duplicate-like: user 3 is listed more than once among the likers of post 12',
      'self-like: user 3 liked their own post 30',
      'over-maximum: user 1 liked 3 posts, more than the maximum of 2',
      'over-maximum: user 3 liked 3 posts, more than the maximum of 2',
    ],
  );
});

test('in the end state: a post left without likes that someone could like is caught', (t) => {
  const end = likersOf(validEnd.filter(([postId]) => postId !== 21));
  t.deepEqual(finalStateViolations(users, end, MAX), [
    {
      rule: 'stopped-early',
      detail:
        'the likes stopped while post 21 still had none and user 3 (1 of 2 likes given) ' +
        'could still like post 20',
    },
  ]);
});

test('in the end state: likes of posts that are not the users’ are caught', (t) => {
  const end = likersOf([...validEnd, [99, [1, 2]], [98, []]]);
  t.deepEqual(finalStateViolations(users, end, MAX), [
    {
      rule: 'unknown-post',
      detail: "post 99 is not one of the users' posts, yet users 1, 2 liked it",
    },
  ]);
});
