import { checkLikeRules, finalStateViolations, type LikeRuleViolation } from './checkLikeRules.js';
import type { AuthorPosts, PlannedLike } from './planLikes.js';
import type { ServerState } from './readBack.js';

/** One rule the report vouches for, and what broke it. */
export interface RuleCheck {
  readonly rule: string;
  readonly ok: boolean;
  readonly violations: number;
  /** The first few violations, in words. */
  readonly examples: readonly string[];
}

const RULES: readonly { readonly name: string; readonly kinds: readonly MismatchOrRule[] }[] = [
  {
    name: 'every post and like the bot made is on the server, and nothing else',
    kinds: ['mismatch'],
  },
  { name: 'no user likes their own post', kinds: ['self-like'] },
  { name: 'no user is over max_likes_per_user', kinds: ['over-maximum'] },
  { name: 'no user likes a post twice', kinds: ['duplicate-like'] },
  {
    name: 'likes only go to authors who still had a post with 0 likes',
    kinds: ['liked-ineligible-author', 'unknown-post'],
  },
  { name: 'likers take turns by most posts, each until done', kinds: ['wrong-liker-order'] },
  { name: 'the bot stopped only when nothing was left to like', kinds: ['stopped-early'] },
];

type MismatchOrRule = LikeRuleViolation['rule'] | 'mismatch';

const EXAMPLES_PER_RULE = 3;

/**
 * Checks every rule twice where it can: on the server's data as read back (self-likes,
 * maximum, duplicates, the stop condition), and on the order the bot liked in.
 *
 * @example verifyRun(authors, plan.likes, 5, state).every((check) => check.ok)
 */
export function verifyRun(
  authors: readonly AuthorPosts[],
  likes: readonly PlannedLike[],
  maxLikesPerUser: number,
  server: ServerState,
): RuleCheck[] {
  const found: { rule: MismatchOrRule; detail: string }[] = [
    ...mismatches(authors, likes, server),
    ...finalStateViolations(authors, server.likersByPost, maxLikesPerUser),
    ...checkLikeRules(authors, likes, maxLikesPerUser),
  ];
  return RULES.map(({ name, kinds }) => {
    const broken = found.filter((violation) => kinds.includes(violation.rule));
    const details = [...new Set(broken.map((violation) => violation.detail))];
    return {
      rule: name,
      ok: broken.length === 0,
      violations: details.length,
      examples: details.slice(0, EXAMPLES_PER_RULE),
    };
  });
}

function mismatches(
  authors: readonly AuthorPosts[],
  likes: readonly PlannedLike[],
  server: ServerState,
): { rule: 'mismatch'; detail: string }[] {
  const found: { rule: 'mismatch'; detail: string }[] = [];
  for (const { userId, postIds } of authors) {
    const onServer = new Set((server.postsByAuthor.get(userId) ?? []).map((post) => post.post_id));
    const written = new Set(postIds);
    for (const id of written) {
      if (!onServer.has(id))
        found.push({ rule: 'mismatch', detail: `post ${id} of user ${userId} is missing` });
    }
    for (const id of onServer) {
      if (!written.has(id))
        found.push({
          rule: 'mismatch',
          detail: `user ${userId} has post ${id} the bot did not write`,
        });
    }
  }
  for (const posts of server.postsByAuthor.values()) {
    for (const post of posts) {
      const likers = server.likersByPost.get(post.post_id)?.length ?? 0;
      if (likers !== post.likes) {
        found.push({
          rule: 'mismatch',
          detail: `post ${post.post_id} shows ${post.likes} likes but lists ${likers} likers`,
        });
      }
    }
  }
  const sent = new Set(likes.map(({ userId, postId }) => `${userId} ${postId}`));
  const held = new Set<string>();
  for (const [postId, likers] of server.likersByPost) {
    for (const userId of likers) held.add(`${userId} ${postId}`);
  }
  for (const pair of sent) {
    if (!held.has(pair))
      found.push({ rule: 'mismatch', detail: `like ${describe(pair)} is missing` });
  }
  for (const pair of held) {
    if (!sent.has(pair))
      found.push({ rule: 'mismatch', detail: `like ${describe(pair)} was not sent by the bot` });
  }
  return found;
}

function describe(pair: string): string {
  const [userId, postId] = pair.split(' ');
  return `of post ${postId} by user ${userId}`;
}
