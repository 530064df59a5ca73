import test from 'ava';
import fc from 'fast-check';
import { checkLikeRules, finalStateViolations } from './checkLikeRules.js';
import { planLikes, type AuthorPosts, type LikePlan, type PlannedLike } from './planLikes.js';
import { seededRandom, type Random } from './random.js';

/** Users 1, 2, … with the given numbers of posts; user n's posts are 100n, 100n + 1, … */
const usersWithPostCounts = (counts: readonly number[]): AuthorPosts[] =>
  counts.map((count, index) => ({
    userId: index + 1,
    postIds: Array.from({ length: count }, (_, post) => 100 * (index + 1) + post),
  }));

/** Always the first candidate in input order; remembers how many candidates each like had. */
function firstCandidate(): Random & { readonly counts: number[] } {
  const counts: number[] = [];
  return {
    counts,
    below: (count) => {
      counts.push(count);
      return 0;
    },
    between: (min) => min,
  };
}

const likersInOrder = (likes: readonly PlannedLike[]): number[] =>
  likes.map((like) => like.userId).filter((userId, i, all) => all[i - 1] !== userId);

const likesBy = (likes: readonly PlannedLike[], userId: number): number[] =>
  likes.filter((like) => like.userId === userId).map((like) => like.postId);

/** Who liked each post at the end, as the bot reads it back from the server. */
function likersByPost(
  users: readonly AuthorPosts[],
  likes: readonly PlannedLike[],
): Map<number, number[]> {
  const likers = new Map<number, number[]>();
  for (const postId of users.flatMap((user) => user.postIds)) likers.set(postId, []);
  for (const like of likes) likers.get(like.postId)?.push(like.userId);
  return likers;
}

test('a single user has nothing to like: no likes, and the plan ends', (t) => {
  const plan = planLikes([{ userId: 1, postIds: [10, 11] }], 5, seededRandom(1));
  t.deepEqual(plan, { likes: [], stoppedBecause: 'every-liker-done' });
});

test('when nobody has posts, nobody likes', (t) => {
  t.deepEqual(planLikes(usersWithPostCounts([0, 0, 0]), 5, seededRandom(1)), {
    likes: [],
    stoppedBecause: 'no-post-without-likes',
  });
  t.deepEqual(planLikes([], 5, seededRandom(1)), {
    likes: [],
    stoppedBecause: 'no-post-without-likes',
  });
});

test('a maximum of 0 likes plans no like', (t) => {
  const plan = planLikes(usersWithPostCounts([3, 2, 1]), 0, seededRandom(1));
  t.deepEqual(plan, { likes: [], stoppedBecause: 'every-liker-done' });
});

test('a maximum that is not a whole number of at least 0 is refused', (t) => {
  for (const max of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.throws(() => planLikes(usersWithPostCounts([1, 1]), max, seededRandom(1)), {
      instanceOf: RangeError,
    });
  }
});

test('a liker left with only their own posts without likes stops, and the next likes those', (t) => {
  const users = [
    { userId: 1, postIds: [10, 11] },
    { userId: 2, postIds: [20] },
    { userId: 3, postIds: [] },
  ];
  for (let seed = 0; seed < 20; seed += 1) {
    const plan = planLikes(users, 5, seededRandom(seed));
    t.deepEqual(likesBy(plan.likes, 1), [20], `seed ${seed}`);
    t.deepEqual(
      likesBy(plan.likes, 2).sort((a, b) => a - b),
      [10, 11],
      `seed ${seed}`,
    );
    t.deepEqual(likersInOrder(plan.likes), [1, 2], `seed ${seed}`);
    t.is(plan.stoppedBecause, 'no-post-without-likes');
  }
});

test('once every post has a like the plan stops, though likers have likes left', (t) => {
  const users = usersWithPostCounts([2, 2, 2, 2, 2]);
  const plan = planLikes(users, 10, seededRandom(3));
  t.is(plan.stoppedBecause, 'no-post-without-likes');
  const liked = new Set(plan.likes.map((like) => like.postId));
  t.is(liked.size, 10, 'every post has a like');
  const lastPost = plan.likes.at(-1)?.postId;
  t.false(
    plan.likes.slice(0, -1).some((like) => like.postId === lastPost),
    'the last like gave the last post without likes its first',
  );
});

test('users with as many posts like in input order', (t) => {
  const counts = [0, 2, 2, 3];
  for (let seed = 0; seed < 10; seed += 1) {
    const plan = planLikes(usersWithPostCounts(counts), 1, seededRandom(seed));
    t.deepEqual(likersInOrder(plan.likes), [4, 2, 3, 1], `seed ${seed}`);
    const swapped = usersWithPostCounts(counts);
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    t.deepEqual(likersInOrder(planLikes(swapped, 1, seededRandom(seed)).likes), [4, 3, 2, 1]);
  }
});

test('a liker with nothing to like is passed over and the next one goes on', (t) => {
  // Picking the first candidate every time: 1 likes 20, 2 likes 10, and then 30, user 3's
  // own, is the only post without likes; user 4 likes it.
  const users = [
    { userId: 1, postIds: [10] },
    { userId: 2, postIds: [20] },
    { userId: 3, postIds: [30] },
    { userId: 4, postIds: [] },
  ];
  const plan = planLikes(users, 1, firstCandidate());
  t.deepEqual(plan.likes, [
    { userId: 1, postId: 20 },
    { userId: 2, postId: 10 },
    { userId: 4, postId: 30 },
  ]);
  t.is(plan.stoppedBecause, 'no-post-without-likes');
});

test('a like is drawn among the posts the liker may like, not among their authors', (t) => {
  const users = [
    { userId: 1, postIds: [10, 11, 12, 13, 14] },
    { userId: 2, postIds: [20] },
    { userId: 3, postIds: [30, 31, 32] },
  ];
  const random = firstCandidate();
  planLikes(users, 1, random);
  t.is(random.counts[0], 4, "user 1 may like user 2's post and user 3's three");
  let toUser2 = 0;
  const plans = 4000;
  for (let seed = 0; seed < plans; seed += 1) {
    if (planLikes(users, 1, seededRandom(seed)).likes[0]?.postId === 20) toUser2 += 1;
  }
  const share = toUser2 / plans;
  t.true(share > 0.22 && share < 0.28, `user 2's one post got ${share} of first likes, not 1/4`);
});

test('the same seed gives the same plan, and other seeds other plans', (t) => {
  const users = usersWithPostCounts([5, 0, 3, 7, 2, 2, 6, 1, 4, 3]);
  const plan = (seed: number): LikePlan => planLikes(users, 4, seededRandom(seed));
  t.deepEqual(plan(42), plan(42));
  const distinct = new Set(Array.from({ length: 10 }, (_, seed) => JSON.stringify(plan(seed))));
  t.true(distinct.size >= 9, `only ${distinct.size} different plans from 10 seeds`);
});

// Its speed is measured by `npm run bench -- --only planner`, not here.
test('10,000 users with up to 20 posts and 20 likes each get a plan that keeps every rule', (t) => {
  const random = seededRandom(1);
  const users = usersWithPostCounts(Array.from({ length: 10_000 }, () => random.between(0, 20)));
  const plan = planLikes(users, 20, random);
  t.true(plan.likes.length > 100_000, `${plan.likes.length} likes`);
  t.deepEqual(checkLikeRules(users, plan.likes, 20), []);
});

/**
 * The rules taken word for word, listing every candidate again for each like (quadratic);
 * it draws as `planLikes` promises to: one `below(candidates)`, in input order.
 */
function planLikesSlowly(
  users: readonly AuthorPosts[],
  maxLikes: number,
  random: Random,
): PlannedLike[] {
  const liked = new Set<number>();
  const hasPostWithoutLikes = (user: AuthorPosts): boolean =>
    user.postIds.some((postId) => !liked.has(postId));
  const likes: PlannedLike[] = [];
  const order = [...users].sort((a, b) => b.postIds.length - a.postIds.length);
  for (const liker of order) {
    const likedByLiker = new Set<number>();
    while (likedByLiker.size < maxLikes && users.some(hasPostWithoutLikes)) {
      const candidates = users
        .filter((author) => author.userId !== liker.userId && hasPostWithoutLikes(author))
        .flatMap((author) => author.postIds)
        .filter((postId) => !likedByLiker.has(postId));
      if (candidates.length === 0) break;
      const postId = candidates[random.below(candidates.length)]!;
      likes.push({ userId: liker.userId, postId });
      likedByLiker.add(postId);
      liked.add(postId);
    }
  }
  return likes;
}

test('random configurations: every rule holds, and the plan is the rules taken word for word', (t) => {
  const configuration = fc.record({
    postCounts: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 40 }),
    maxLikes: fc.integer({ min: 0, max: 8 }),
    seed: fc.integer(),
  });
  t.notThrows(() => {
    fc.assert(
      fc.property(configuration, ({ postCounts, maxLikes, seed }) => {
        const users = usersWithPostCounts(postCounts);
        const plan = planLikes(users, maxLikes, seededRandom(seed));
        const problems = [
          ...checkLikeRules(users, plan.likes, maxLikes),
          ...finalStateViolations(users, likersByPost(users, plan.likes), maxLikes),
        ];
        if (problems.length > 0) throw new Error(JSON.stringify(problems));
        const slowly = planLikesSlowly(users, maxLikes, seededRandom(seed));
        if (JSON.stringify(slowly) !== JSON.stringify(plan.likes)) {
          throw new Error(`the rules word for word give ${JSON.stringify(slowly)}`);
        }
        const posts = postCounts.reduce((sum, count) => sum + count, 0);
        const likedPosts = new Set(plan.likes.map((like) => like.postId)).size;
        const reason = likedPosts < posts ? 'every-liker-done' : 'no-post-without-likes';
        if (plan.stoppedBecause !== reason)
          throw new Error(`stopped because ${plan.stoppedBecause}`);
      }),
      { numRuns: 500 },
    );
  });
});
