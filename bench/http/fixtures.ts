import { randomBytes } from 'node:crypto';
import type { Plaza } from '@plaza/core';

/** The data the like, create-post and read phases cycle through. */
export interface Fixtures {
  /** One token per user, for `Authorization: JWT <token>`. */
  readonly tokens: readonly string[];
  readonly postIds: readonly number[];
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A password zxcvbn rates "safely unguessable", so sign-up accepts it. */
const strongPassword = (): string => randomBytes(18).toString('base64url');

/** Signs up `count` users whose names start with `prefix`; sign-up hashes with the instance's scrypt cost. */
export async function signUpUsers(
  plaza: Plaza,
  prefix: string,
  count: number,
): Promise<{
  readonly userIds: number[];
  readonly tokens: string[];
  readonly credentials: Credentials[];
}> {
  const userIds: number[] = [];
  const tokens: string[] = [];
  const credentials: Credentials[] = [];
  for (let i = 0; i < count; i += 1) {
    const username = `${prefix}_${String(i).padStart(3, '0')}`;
    const password = strongPassword();
    const { user_id, token } = await plaza.users.signUp({
      username,
      password,
      email: `${username}@example.com`,
    });
    userIds.push(user_id);
    tokens.push(token);
    credentials.push({ username, password });
  }
  return { userIds, tokens, credentials };
}

/**
 * Posts created at once while seeding: on PostgreSQL each is a durable commit of its own,
 * and commits in flight together share a WAL flush; SQLite batches them into one.
 */
const POSTS_IN_FLIGHT = 10;

/**
 * `users` users and `posts` posts by the first of them: 2,000 posts × 50 users gives
 * 100,000 distinct likes, more than a 10 s run can send, so the like phase inserts rows
 * instead of hitting the no-op path. Everything goes through Plaza's own API, so the
 * fixtures are the same whatever the database.
 *
 * @example const fixtures = await seedFixtures(plaza, { users: 50, posts: 2000 })
 */
export async function seedFixtures(
  plaza: Plaza,
  counts: { readonly users: number; readonly posts: number },
): Promise<Fixtures> {
  const { userIds, tokens } = await signUpUsers(plaza, 'bench', counts.users);
  const authorId = userIds[0]!;
  const postIds: number[] = [];
  let next = 0;
  const createPosts = async (): Promise<void> => {
    for (let i = next++; i < counts.posts; i = next++) {
      const { post_id } = await plaza.posts.create(authorId, {
        title: `Seeded post ${i}`,
        text: `The body of seeded post ${i}, long enough to look like a short post.`,
      });
      postIds.push(post_id);
    }
  };
  await Promise.all(Array.from({ length: POSTS_IN_FLIGHT }, createPosts));
  return { tokens, postIds: postIds.sort((a, b) => a - b) };
}

/** How many likes the posts hold: proves the like phase stored rows, not just answered OK. */
export async function countLikes(plaza: Plaza, postIds: readonly number[]): Promise<number> {
  let total = 0;
  for (const postId of postIds) {
    total += (await plaza.posts.likers({ post_id: postId })).user_ids.length;
  }
  return total;
}
