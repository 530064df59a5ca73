import type { Knex } from 'knex';

/**
 * Which of `userIds` the user `viewerId` follows: one query, whatever the number of ids (a
 * page holds at most 100).
 *
 * @example const followed = await followedAmong(db, viewerId, [2, 3]) // Set { 3 }
 */
export async function followedAmong(
  db: Knex,
  viewerId: number,
  userIds: readonly number[],
): Promise<ReadonlySet<number>> {
  const others = userIds.filter((userId) => userId !== viewerId);
  if (others.length === 0) return new Set();
  const rows = (await db('follows')
    .select('followee_id')
    .where('follower_id', viewerId)
    .whereIn('followee_id', [...new Set(others)])) as Array<{ followee_id: number }>;
  return new Set(rows.map((row) => row.followee_id));
}
