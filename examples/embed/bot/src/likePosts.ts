import pMap from 'p-map';
import type { BotUser } from './botUsers.js';
import type { PlannedLike } from './planLikes.js';
import type { ProgressFactory } from './progress.js';

/**
 * Sends the planned likes, at most `concurrency` at once. The plan already obeys the rules,
 * and the final set of likes does not depend on the order they arrive in.
 *
 * @example await sendLikes(plan.likes, usersById, 8, noProgress)
 */
export async function sendLikes(
  likes: readonly PlannedLike[],
  usersById: ReadonlyMap<number, BotUser>,
  concurrency: number,
  progressOf: ProgressFactory,
): Promise<void> {
  const progress = progressOf('likes', likes.length);
  await pMap(
    likes,
    async ({ userId, postId }) => {
      const liker = usersById.get(userId);
      if (liker === undefined)
        throw new Error(`The plan names user ${userId}, whom the bot did not sign up.`);
      await liker.client.likes.like(postId);
      progress.advance();
    },
    { concurrency },
  );
  progress.finish();
}
