import pMap from 'p-map';
import type { Post } from '@plaza/client-sdk';
import type { BotUser } from './botUsers.js';
import type { ProgressFactory } from './progress.js';

/** What the server holds for the bot's users, read through the public API. */
export interface ServerState {
  readonly postsByAuthor: ReadonlyMap<number, readonly Post[]>;
  /** Only posts with at least one like appear. */
  readonly likersByPost: ReadonlyMap<number, readonly number[]>;
}

/**
 * Lists every user's posts page by page, then the likers of every liked post.
 *
 * @example const state = await readBack(users, 8, noProgress)
 */
export async function readBack(
  users: readonly BotUser[],
  concurrency: number,
  progressOf: ProgressFactory,
): Promise<ServerState> {
  const reader = users[0]?.client;
  const postsByAuthor = new Map<number, Post[]>();
  const likersByPost = new Map<number, readonly number[]>();
  if (reader === undefined) return { postsByAuthor, likersByPost };

  const postsProgress = progressOf('read', users.length);
  await pMap(
    users,
    async ({ userId }) => {
      const posts: Post[] = [];
      for await (const post of reader.posts.iterate({ author_id: userId, limit: 100 })) {
        posts.push(post);
      }
      postsByAuthor.set(userId, posts);
      postsProgress.advance();
    },
    { concurrency },
  );
  postsProgress.finish();

  const liked = [...postsByAuthor.values()].flat().filter((post) => post.likes > 0);
  const likersProgress = progressOf('likers', liked.length);
  await pMap(
    liked,
    async ({ post_id }) => {
      likersByPost.set(post_id, await reader.posts.likers(post_id));
      likersProgress.advance();
    },
    { concurrency },
  );
  likersProgress.finish();
  return { postsByAuthor, likersByPost };
}
