import type { AuthorPosts, PlannedLike } from './planLikes.js';

/** A like rule of SPEC.md ("The bot") that did not hold, said so that a user can follow it. */
export interface LikeRuleViolation {
  /**
   * `unknown-post` also covers a like by a user who is not among the users: either way the
   * like names something that was not planned for.
   */
  readonly rule:
    | 'self-like'
    | 'over-maximum'
    | 'duplicate-like'
    | 'liked-ineligible-author'
    | 'wrong-liker-order'
    | 'stopped-early'
    | 'unknown-post';
  readonly detail: string;
}

/**
 * Replays `likes` in order against the like rules: nobody likes their own post, goes over the
 * maximum or likes a post twice; each like goes to an author who still had a post without
 * likes; users take turns by post count (most first, ties in input order), and a turn ends
 * only at the maximum or with nothing left to like; the likes end only when no post is
 * without likes or nobody may like anything. Written for clarity, not speed: O(likes x
 * maxLikesPerUser + posts).
 *
 * @example checkLikeRules([{ userId: 1, postIds: [10] }], [{ userId: 1, postId: 10 }], 5) // [self-like]
 */
export function checkLikeRules(
  users: readonly AuthorPosts[],
  likes: readonly PlannedLike[],
  maxLikesPerUser: number,
): LikeRuleViolation[] {
  const ledger = new LikeLedger(users);
  const turns = new TurnOrder(users);
  const violations: LikeRuleViolation[] = [];
  likes.forEach((like, index) => {
    const where = `like #${index + 1}`;
    if (!ledger.isKnownUser(like.userId)) {
      violations.push({
        rule: 'unknown-post',
        detail: `${where}: user ${like.userId} is not one of the users (liked post ${like.postId})`,
      });
      return;
    }
    violations.push(...turns.check(like.userId, ledger, maxLikesPerUser, where));
    violations.push(...likeViolations(ledger, like, maxLikesPerUser, where));
    if (ledger.authorOf(like.postId) !== undefined) ledger.record(like.userId, like.postId);
  });
  const early = stoppedEarly(ledger, turns.order, maxLikesPerUser);
  return early === undefined ? violations : [...violations, early];
}

/**
 * What can be checked without knowing the order of the likes, as read back from the server:
 * no self-like, nobody over the maximum, no user twice among a post's likers, and that the
 * likes did not stop while a post was without likes and someone could still like. Posts
 * missing from `likersByPost` count as without likes.
 *
 * @example finalStateViolations(users, new Map([[10, [2, 3]]]), 5) // [] when the rules held
 */
export function finalStateViolations(
  users: readonly AuthorPosts[],
  likersByPost: ReadonlyMap<number, readonly number[]>,
  maxLikesPerUser: number,
): LikeRuleViolation[] {
  const ledger = new LikeLedger(users);
  const violations: LikeRuleViolation[] = [];
  for (const [postId, likers] of likersByPost) {
    const author = ledger.authorOf(postId);
    if (author === undefined) {
      if (likers.length > 0) {
        violations.push({
          rule: 'unknown-post',
          detail: `post ${postId} is not one of the users' posts, yet ${describeUsers(likers)} liked it`,
        });
      }
      continue;
    }
    for (const liker of likers) {
      if (!ledger.isKnownUser(liker)) {
        violations.push({
          rule: 'unknown-post',
          detail: `user ${liker}, who is not one of the users, liked post ${postId}`,
        });
      } else if (liker === author) {
        violations.push({
          rule: 'self-like',
          detail: `user ${liker} liked their own post ${postId}`,
        });
      } else if (ledger.hasLiked(liker, postId)) {
        violations.push({
          rule: 'duplicate-like',
          detail: `user ${liker} is listed more than once among the likers of post ${postId}`,
        });
      }
      if (ledger.isKnownUser(liker)) ledger.record(liker, postId);
    }
  }
  for (const user of users) {
    const given = ledger.likesGivenBy(user.userId);
    if (given > maxLikesPerUser) {
      violations.push({
        rule: 'over-maximum',
        detail: `user ${user.userId} liked ${given} posts, more than the maximum of ${maxLikesPerUser}`,
      });
    }
  }
  const early = stoppedEarly(ledger, new TurnOrder(users).order, maxLikesPerUser);
  return early === undefined ? violations : [...violations, early];
}

function likeViolations(
  ledger: LikeLedger,
  { userId, postId }: PlannedLike,
  maxLikes: number,
  where: string,
): LikeRuleViolation[] {
  const author = ledger.authorOf(postId);
  if (author === undefined) {
    return [
      {
        rule: 'unknown-post',
        detail: `${where}: user ${userId} liked post ${postId}, which is not one of the users' posts`,
      },
    ];
  }
  const violations: LikeRuleViolation[] = [];
  if (author === userId) {
    violations.push({
      rule: 'self-like',
      detail: `${where}: user ${userId} liked their own post ${postId}`,
    });
  }
  const duplicate = ledger.hasLiked(userId, postId);
  if (duplicate) {
    violations.push({
      rule: 'duplicate-like',
      detail: `${where}: user ${userId} liked post ${postId} a second time`,
    });
  }
  if (!ledger.hasPostsWithoutLikes(author)) {
    violations.push({
      rule: 'liked-ineligible-author',
      detail:
        `${where}: user ${userId} liked post ${postId} of user ${author}, ` +
        `every one of whose posts already had a like`,
    });
  }
  // Said once, at the first like over the maximum.
  if (!duplicate && ledger.likesGivenBy(userId) === maxLikes) {
    violations.push({
      rule: 'over-maximum',
      detail: `${where}: user ${userId} liked more than the maximum of ${maxLikes} posts`,
    });
  }
  return violations;
}

/** The stop rule, judged on what the likes left behind; undefined when it held. */
function stoppedEarly(
  ledger: LikeLedger,
  order: readonly number[],
  maxLikes: number,
): LikeRuleViolation | undefined {
  const unliked = ledger.somePostWithoutLikes();
  if (unliked === undefined) return undefined;
  const user = order.find((userId) => ledger.mayStillLike(userId, maxLikes));
  if (user === undefined) return undefined;
  return {
    rule: 'stopped-early',
    detail:
      `the likes stopped while post ${unliked} still had none and user ${user} ` +
      `(${ledger.likesGivenBy(user)} of ${maxLikes} likes given) could still like ` +
      `post ${ledger.someCandidateFor(user)}`,
  };
}

/** Whose turn it is, and whether moving on to the next liker was allowed. */
class TurnOrder {
  /** User ids, most posts first, ties in input order. */
  readonly order: readonly number[];
  readonly #placeOf: ReadonlyMap<number, number>;
  #current: number | undefined;
  #currentPlace = -1;

  constructor(users: readonly AuthorPosts[]) {
    this.order = [...users]
      .sort((a, b) => b.postIds.length - a.postIds.length)
      .map((user) => user.userId);
    this.#placeOf = new Map(this.order.map((userId, place) => [userId, place]));
  }

  /** Call before recording each like, with the user who makes it. */
  check(userId: number, ledger: LikeLedger, maxLikes: number, where: string): LikeRuleViolation[] {
    if (userId === this.#current) return [];
    const place = this.#placeOf.get(userId) ?? -1;
    const previous = this.#current;
    this.#current = userId;
    if (previous !== undefined && place <= this.#currentPlace) {
      return [
        {
          rule: 'wrong-liker-order',
          detail:
            `${where}: user ${userId} liked after user ${previous}, but their turn ` +
            `(${ledger.postCountOf(userId)} posts) came before it`,
        },
      ];
    }
    const violations = this.#passedOver(place, ledger, maxLikes, where, userId);
    if (previous !== undefined && ledger.mayStillLike(previous, maxLikes)) {
      violations.push({
        rule: 'wrong-liker-order',
        detail:
          `${where}: user ${previous} stopped with ${ledger.likesGivenBy(previous)} of ` +
          `${maxLikes} likes given while they could still like post ` +
          `${ledger.someCandidateFor(previous)}, and user ${userId} went on`,
      });
    }
    this.#currentPlace = place;
    return violations;
  }

  /** Users whose turn came between the last liker's and this one's, and who liked nothing. */
  #passedOver(
    place: number,
    ledger: LikeLedger,
    maxLikes: number,
    where: string,
    next: number,
  ): LikeRuleViolation[] {
    return this.order
      .slice(this.#currentPlace + 1, place)
      .filter((skipped) => ledger.mayStillLike(skipped, maxLikes))
      .map((skipped) => ({
        rule: 'wrong-liker-order',
        detail:
          `${where}: user ${skipped} was passed over while they could like post ` +
          `${ledger.someCandidateFor(skipped)}, and user ${next} went on`,
      }));
  }
}

/** The posts, who wrote them, and the likes recorded so far. */
class LikeLedger {
  readonly #posts: ReadonlyMap<number, readonly number[]>;
  readonly #authorOf = new Map<number, number>();
  readonly #likeCountOf = new Map<number, number>();
  readonly #postsWithoutLikesOf = new Map<number, number>();
  readonly #likedBy = new Map<number, Set<number>>();
  /** Posts whose author has a post without likes. */
  #postsOfEligibleAuthors = 0;

  constructor(users: readonly AuthorPosts[]) {
    this.#posts = new Map(users.map((user) => [user.userId, user.postIds]));
    for (const { userId, postIds } of users) {
      for (const postId of postIds) this.#authorOf.set(postId, userId);
      this.#postsWithoutLikesOf.set(userId, postIds.length);
      this.#likedBy.set(userId, new Set());
      this.#postsOfEligibleAuthors += postIds.length;
    }
  }

  isKnownUser(userId: number): boolean {
    return this.#posts.has(userId);
  }

  authorOf(postId: number): number | undefined {
    return this.#authorOf.get(postId);
  }

  postCountOf(userId: number): number {
    return this.#posts.get(userId)?.length ?? 0;
  }

  hasLiked(userId: number, postId: number): boolean {
    return this.#likedBy.get(userId)?.has(postId) ?? false;
  }

  likesGivenBy(userId: number): number {
    return this.#likedBy.get(userId)?.size ?? 0;
  }

  hasPostsWithoutLikes(author: number): boolean {
    return (this.#postsWithoutLikesOf.get(author) ?? 0) > 0;
  }

  /** `postId` must be one of the users' posts. */
  record(userId: number, postId: number): void {
    this.#likedBy.get(userId)?.add(postId);
    const likeCount = this.#likeCountOf.get(postId) ?? 0;
    this.#likeCountOf.set(postId, likeCount + 1);
    const author = this.#authorOf.get(postId);
    if (likeCount > 0 || author === undefined) return;
    const left = (this.#postsWithoutLikesOf.get(author) ?? 0) - 1;
    this.#postsWithoutLikesOf.set(author, left);
    if (left === 0) this.#postsOfEligibleAuthors -= this.postCountOf(author);
  }

  /** Below the maximum, with a post they may like. */
  mayStillLike(userId: number, maxLikes: number): boolean {
    return this.likesGivenBy(userId) < maxLikes && this.#candidateCount(userId) > 0;
  }

  /**
   * Posts of authors with a post without likes, less the user's own and those they liked:
   * counted rather than listed, so that checking every user stays cheap.
   */
  #candidateCount(userId: number): number {
    const own = this.hasPostsWithoutLikes(userId) ? this.postCountOf(userId) : 0;
    let likedOfEligible = 0;
    for (const postId of this.#likedBy.get(userId) ?? []) {
      const author = this.#authorOf.get(postId);
      if (author !== undefined && author !== userId && this.hasPostsWithoutLikes(author)) {
        likedOfEligible += 1;
      }
    }
    return this.#postsOfEligibleAuthors - own - likedOfEligible;
  }

  /** For messages: a post the user may like, found by going through them all. */
  someCandidateFor(userId: number): number | undefined {
    for (const [postId, author] of this.#authorOf) {
      if (
        author !== userId &&
        this.hasPostsWithoutLikes(author) &&
        !this.hasLiked(userId, postId)
      ) {
        return postId;
      }
    }
    return undefined;
  }

  somePostWithoutLikes(): number | undefined {
    for (const postId of this.#authorOf.keys()) {
      if (!this.#likeCountOf.has(postId)) return postId;
    }
    return undefined;
  }
}

function describeUsers(userIds: readonly number[]): string {
  return userIds.length === 1 ? `user ${userIds[0]}` : `users ${userIds.join(', ')}`;
}
