import type { Random } from './random.js';

/** A user and the posts they wrote. User ids are unique, and so are post ids across users. */
export interface AuthorPosts {
  readonly userId: number;
  readonly postIds: readonly number[];
}

/** `userId` likes `postId`. */
export interface PlannedLike {
  readonly userId: number;
  readonly postId: number;
}

export interface LikePlan {
  /** In the order they are to be sent. */
  readonly likes: readonly PlannedLike[];
  /** Why it ended: every post has a like, or nobody may like anything more. */
  readonly stoppedBecause: 'no-post-without-likes' | 'every-liker-done';
}

/**
 * Plans the bot's likes by the rules of SPEC.md ("The bot"): users take turns, most posts
 * first (ties in input order); each likes until reaching `maxLikesPerUser` or having nothing
 * left to like: a post, not their own nor already liked by them, whose author still has a
 * post without likes. Everything stops once no post without likes remains.
 *
 * Each like takes exactly one `random.below(n)`, where n is the number of posts the liker may
 * like and the answer k picks the k-th of them in input order (users, then their posts): the
 * same `random` gives the same plan. O((posts + likes) log posts).
 *
 * @example planLikes([{ userId: 1, postIds: [10] }, { userId: 2, postIds: [] }], 5, seededRandom(7)) // 2 likes 10
 */
export function planLikes(
  users: readonly AuthorPosts[],
  maxLikesPerUser: number,
  random: Random,
): LikePlan {
  if (!Number.isSafeInteger(maxLikesPerUser) || maxLikesPerUser < 0) {
    throw new RangeError(
      `maxLikesPerUser must be a whole number of at least 0; it is ${maxLikesPerUser}.`,
    );
  }
  const board = new LikeBoard(users);
  const likes: PlannedLike[] = [];
  for (const liker of likerOrder(users)) {
    if (board.postsWithoutLikes === 0) break;
    takeTurn(board, liker, maxLikesPerUser, random, likes);
  }
  return {
    likes,
    stoppedBecause: board.postsWithoutLikes === 0 ? 'no-post-without-likes' : 'every-liker-done',
  };
}

/** Indexes into `users`: most posts first, ties in input order (Array#sort is stable). */
function likerOrder(users: readonly AuthorPosts[]): number[] {
  const postCount = (index: number): number => users[index]?.postIds.length ?? 0;
  return users.map((_, index) => index).sort((a, b) => postCount(b) - postCount(a));
}

function takeTurn(
  board: LikeBoard,
  liker: number,
  maxLikes: number,
  random: Random,
  likes: PlannedLike[],
): void {
  board.beginTurn(liker);
  for (let given = 0; given < maxLikes; given += 1) {
    // With no post without likes left, no author is eligible and nothing is a candidate.
    if (board.candidateCount === 0) break;
    likes.push(board.like(board.candidate(random.below(board.candidateCount))));
  }
  board.endTurn();
}

/**
 * Every post, by its index in input order (users, then their posts), with what the liker
 * whose turn it is may like. A post is a candidate when its author has a post without likes,
 * is not the liker, and the liker has not liked it yet; the candidates are kept as ones in a
 * `OnesTree`, so counting them and finding the k-th take O(log posts).
 */
class LikeBoard {
  readonly #users: readonly AuthorPosts[];
  /** Index of each author's first post; `firstPostOf[users.length]` is the post count. */
  readonly #firstPostOf: Int32Array;
  readonly #authorOf: Int32Array;
  readonly #hasLike: Uint8Array;
  readonly #postsWithoutLikesOf: Int32Array;
  readonly #candidates: OnesTree;
  #postsWithoutLikes: number;
  #liker = -1;
  #likedThisTurn: number[] = [];

  constructor(users: readonly AuthorPosts[]) {
    this.#users = users;
    this.#firstPostOf = new Int32Array(users.length + 1);
    users.forEach((user, author) => {
      this.#firstPostOf[author + 1] = (this.#firstPostOf[author] ?? 0) + user.postIds.length;
    });
    const postCount = this.#firstPostOf[users.length] ?? 0;
    this.#authorOf = new Int32Array(postCount);
    users.forEach((_, author) =>
      this.#authorOf.fill(author, this.#start(author), this.#end(author)),
    );
    this.#hasLike = new Uint8Array(postCount);
    this.#postsWithoutLikesOf = Int32Array.from(users, (user) => user.postIds.length);
    this.#postsWithoutLikes = postCount;
    // Before anyone likes, every author with posts has posts without likes.
    this.#candidates = OnesTree.allOnes(postCount);
  }

  get postsWithoutLikes(): number {
    return this.#postsWithoutLikes;
  }

  /** How many posts the liker may like now. */
  get candidateCount(): number {
    return this.#candidates.total;
  }

  /** The `k`-th candidate (from 0) in input order. */
  candidate(k: number): number {
    return this.#candidates.indexOfOne(k);
  }

  beginTurn(liker: number): void {
    this.#liker = liker;
    this.#likedThisTurn = [];
    this.#setCandidates(liker, false);
  }

  /** The liker likes `post`, a candidate; an author whose last post without likes this was leaves. */
  like(post: number): PlannedLike {
    this.#candidates.set(post, false);
    this.#likedThisTurn.push(post);
    const author = this.#authorOf[post] ?? -1;
    if (this.#hasLike[post] === 0) {
      this.#hasLike[post] = 1;
      this.#postsWithoutLikes -= 1;
      const left = (this.#postsWithoutLikesOf[author] ?? 0) - 1;
      this.#postsWithoutLikesOf[author] = left;
      if (left === 0) this.#setCandidates(author, false);
    }
    return { userId: this.#userIdOf(this.#liker), postId: this.#postIdOf(author, post) };
  }

  /** Gives back to the next liker what only this one could not like. */
  endTurn(): void {
    if (this.#isEligible(this.#liker)) this.#setCandidates(this.#liker, true);
    for (const post of this.#likedThisTurn) {
      if (this.#isEligible(this.#authorOf[post] ?? -1)) this.#candidates.set(post, true);
    }
    this.#liker = -1;
  }

  #isEligible(author: number): boolean {
    return (this.#postsWithoutLikesOf[author] ?? 0) > 0;
  }

  #setCandidates(author: number, candidate: boolean): void {
    for (let post = this.#start(author); post < this.#end(author); post += 1) {
      this.#candidates.set(post, candidate);
    }
  }

  #start(author: number): number {
    return this.#firstPostOf[author] ?? 0;
  }

  #end(author: number): number {
    return this.#firstPostOf[author + 1] ?? 0;
  }

  #userIdOf(author: number): number {
    return this.#at(author).userId;
  }

  #postIdOf(author: number, post: number): number {
    const postId = this.#at(author).postIds[post - this.#start(author)];
    if (postId === undefined) throw new Error(`post ${post} is not one of user ${author}'s`);
    return postId;
  }

  #at(author: number): AuthorPosts {
    const user = this.#users[author];
    if (user === undefined) throw new Error(`no user at index ${author}`);
    return user;
  }
}

/**
 * A Fenwick tree over a row of zeros and ones: flip one, count them, or find the k-th one,
 * each in O(log size).
 */
class OnesTree {
  /** 1-based: `#sums[i]` holds the ones in the `i & -i` places ending at place i. */
  readonly #sums: Int32Array;
  readonly #isOne: Uint8Array;
  readonly #highestStep: number;
  #total: number;

  private constructor(size: number) {
    this.#sums = new Int32Array(size + 1);
    this.#isOne = new Uint8Array(size).fill(1);
    this.#highestStep = size === 0 ? 0 : 2 ** Math.floor(Math.log2(size));
    this.#total = size;
  }

  /** Built in O(size): each place passes its sum on to the one place that covers it next. */
  static allOnes(size: number): OnesTree {
    const tree = new OnesTree(size);
    const sums = tree.#sums;
    for (let place = 1; place <= size; place += 1) {
      sums[place] = (sums[place] ?? 0) + 1;
      const parent = place + (place & -place);
      if (parent <= size) sums[parent] = (sums[parent] ?? 0) + (sums[place] ?? 0);
    }
    return tree;
  }

  get total(): number {
    return this.#total;
  }

  set(index: number, one: boolean): void {
    if ((this.#isOne[index] === 1) === one) return;
    this.#isOne[index] = one ? 1 : 0;
    const change = one ? 1 : -1;
    this.#total += change;
    const sums = this.#sums;
    for (let place = index + 1; place < sums.length; place += place & -place) {
      sums[place] = (sums[place] ?? 0) + change;
    }
  }

  /** The index of the `k`-th one, counting from 0; `k` must be below `total`. */
  indexOfOne(k: number): number {
    // Descends to the last place whose prefix holds at most k ones: the next place is the k-th.
    const sums = this.#sums;
    let place = 0;
    let remaining = k;
    for (let step = this.#highestStep; step > 0; step >>= 1) {
      const next = place + step;
      const sum = sums[next];
      if (sum !== undefined && sum <= remaining) {
        place = next;
        remaining -= sum;
      }
    }
    return place;
  }
}
