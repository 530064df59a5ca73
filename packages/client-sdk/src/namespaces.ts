import { profilesApi, type ProfilesApi } from './follows.js';
import type { HttpTransport } from './http.js';
import { pageByPage } from './pageByPage.js';
import type { NewPost, Post, PostChanges, PostPage, PostQuery, Profile } from './types.js';

export { authApi, type AuthApi } from './auth.js';

export interface UsersApi extends ProfilesApi {
  get(userId: number): Promise<Profile>;
  /** Your own profile, with your email. */
  me(): Promise<Profile>;
  /** Queues filling your empty profile fields from the enrichment provider; the outcome arrives as an event. */
  requestEnrichment(): Promise<void>;
}

export interface PostsApi {
  create(post: NewPost): Promise<{ readonly post_id: number }>;
  get(postId: number): Promise<Post>;
  /** One page, newest first. */
  list(query?: PostQuery): Promise<PostPage>;
  /** Every post matching `query`, newest first, fetched page by page as you iterate. */
  iterate(query?: PostQuery): AsyncIterableIterator<Post>;
  /** Ids of the users who like the post. */
  likers(postId: number): Promise<readonly number[]>;
  /**
   * Changes your post (any of title, text, link; `link: null` removes it) and answers it as
   * it is now. Someone else's post is USR_02 on `post_id`; a missing one USR_01.
   */
  edit(postId: number, changes: PostChanges): Promise<Post>;
  /** Deletes your post with its likes and comments (same errors as `edit`). */
  delete(postId: number): Promise<void>;
}

export interface LikesApi {
  /** Liking twice is the same as once. */
  like(postId: number): Promise<void>;
  /** Unliking a post you do not like does nothing. */
  unlike(postId: number): Promise<void>;
}

/** The HTTP routes behind each namespace; each answer's `data` is as the route documents it. */
export function usersApi(http: HttpTransport): UsersApi {
  return {
    ...profilesApi(http),
    get: async (userId) =>
      (await http.send('GET', '/user/data', { user_id: userId })).data as Profile,
    me: async () => (await http.send('GET', '/user/data')).data as Profile,
    async requestEnrichment() {
      await http.send('POST', '/user/request-retrieve-data');
    },
  };
}

export function postsApi(http: HttpTransport): PostsApi {
  const list = async (query: PostQuery = {}): Promise<PostPage> =>
    (await http.send('GET', '/post/list', { ...query })).data as PostPage;
  return {
    create: async (post) =>
      (await http.send('POST', '/post/data', { ...post })).data as { post_id: number },
    get: async (postId) => (await http.send('GET', '/post/read', { post_id: postId })).data as Post,
    list,
    iterate: (query: PostQuery = {}) =>
      pageByPage(query.before, async (before) => {
        const page = await list(before === undefined ? query : { ...query, before });
        return { items: page.posts, next: page.next };
      }),
    async likers(postId) {
      const body = await http.send('GET', '/post/likes', { post_id: postId });
      return (body.data as { user_ids: number[] }).user_ids;
    },
    async edit(postId, { title, text, link }) {
      // An empty link is how the server is told to remove it.
      const changes = { title, text, link: link === null ? '' : link };
      return (await http.send('POST', '/post/edit', { post_id: postId, ...changes })).data as Post;
    },
    async delete(postId) {
      await http.send('POST', '/post/delete', { post_id: postId });
    },
  };
}

export function likesApi(http: HttpTransport): LikesApi {
  return {
    async like(postId) {
      await http.send('POST', '/post/like', { post_id: postId });
    },
    async unlike(postId) {
      await http.send('POST', '/post/unlike', { post_id: postId });
    },
  };
}
