import pMap from 'p-map';
import type { AuthorPosts } from './planLikes.js';
import type { BotUser } from './botUsers.js';
import type { ProgressFactory } from './progress.js';
import type { Random } from './random.js';

const WORDS = [
  'river',
  'lantern',
  'orbit',
  'maple',
  'signal',
  'harbor',
  'velvet',
  'quartz',
  'meadow',
  'ember',
  'canyon',
  'pixel',
  'tundra',
  'saffron',
  'glacier',
  'echo',
  'willow',
  'cobalt',
  'summit',
  'drift',
  'marble',
  'thistle',
  'beacon',
  'juniper',
  'falcon',
  'ripple',
];

/** One post a user will write: drawn before any request, so the seed alone decides it. */
interface DraftPost {
  readonly author: BotUser;
  /** Where the new post's id goes, in the order the posts were drafted. */
  readonly ids: number[];
  readonly slot: number;
  readonly title: string;
  readonly text: string;
}

/**
 * Each user writes 0..`maxPostsPerUser` posts, chosen by `random`; the requests run at most
 * `concurrency` at once. Returns every user's post ids in the order they were drafted.
 *
 * @example const authors = await writePosts(users, 5, seededRandom(1), 8, noProgress)
 */
export async function writePosts(
  users: readonly BotUser[],
  maxPostsPerUser: number,
  random: Random,
  concurrency: number,
  progressOf: ProgressFactory,
): Promise<AuthorPosts[]> {
  const drafts: DraftPost[] = [];
  const authors = users.map((author) => {
    const ids = new Array<number>(random.between(0, maxPostsPerUser));
    for (let slot = 0; slot < ids.length; slot += 1) {
      drafts.push({ author, ids, slot, title: sentence(random, 3), text: sentence(random, 12) });
    }
    return { userId: author.userId, postIds: ids };
  });
  const progress = progressOf('posts', drafts.length);
  await pMap(
    drafts,
    async ({ author, ids, slot, title, text }) => {
      ids[slot] = (await author.client.posts.create({ title, text })).post_id;
      progress.advance();
    },
    { concurrency },
  );
  progress.finish();
  return authors;
}

function sentence(random: Random, words: number): string {
  const picked = Array.from({ length: words }, () => WORDS[random.below(WORDS.length)] ?? '');
  const text = picked.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
