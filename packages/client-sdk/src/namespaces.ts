import { profilesApi, type ProfilesApi } from './follows.js';
import type { HttpTransport } from './http.js';
import type { TokenStore, Unsubscribe } from './TokenStore.js';
import type {
  NewPost,
  Post,
  PostChanges,
  PostPage,
  PostQuery,
  Profile,
  Session,
  SignUpInput,
} from './types.js';

/** Sign up, log in, and the token the client sends. */
export interface AuthApi {
  /** Creates the user and signs the client in as them. */
  signup(input: SignUpInput): Promise<Session>;
  /** Signs the client in; wrong credentials are AUT_02. */
  login(username: string, password: string): Promise<Session>;
  /** Asks the server whose `token` (by default the current one) is; AUT_01 when it is not valid. */
  verify(token?: string): Promise<{ readonly user_id: number }>;
  /** Forgets the token here; the token itself stays valid until it expires (see `logoutAll`). */
  logout(): void;
  /**
   * Changes your password (`newPassword` must pass the strength check: USR_04 on
   * `new_password`; a wrong `oldPassword` is AUT_02). Every earlier token of yours stops
   * working, on every device; the client switches to the fresh one it gets back, and live
   * events re-authenticate with it.
   */
  changePassword(oldPassword: string, newPassword: string): Promise<Session>;
  /** Ends every session of yours on every device, this one included; forgets the token here. */
  logoutAll(): Promise<void>;
  currentToken(): string | undefined;
  /** Signs in with a token obtained elsewhere (or forgets it, with undefined). */
  setToken(token: string | undefined): void;
  /** Called with the new token (or undefined) whenever it changes. */
  onChange(listener: (token: string | undefined) => void): Unsubscribe;
}

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
export function authApi(http: HttpTransport, tokens: TokenStore): AuthApi {
  return {
    async signup(input) {
      const body = await http.send('POST', '/user/data', { ...input });
      const session = body.data as Session;
      tokens.set(session.token);
      return session;
    },
    async login(username, password) {
      const body = await http.send('POST', '/api-token-auth/', { username, password });
      const session = body.data as Session;
      tokens.set(session.token);
      return session;
    },
    async verify(token = tokens.get()) {
      const body = await http.send('POST', '/api-token-verify/', { token: token ?? '' });
      return body.data as { user_id: number };
    },
    logout: () => tokens.set(undefined),
    async changePassword(oldPassword, newPassword) {
      const body = await http.send('POST', '/user/password', {
        old_password: oldPassword,
        new_password: newPassword,
      });
      const session = body.data as Session;
      tokens.set(session.token);
      return session;
    },
    async logoutAll() {
      await http.send('POST', '/user/logout-all');
      tokens.set(undefined);
    },
    currentToken: () => tokens.get(),
    setToken: (token) => tokens.set(token),
    onChange: (listener) => tokens.onChange(listener),
  };
}

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
    async *iterate(query: PostQuery = {}) {
      let before = query.before;
      do {
        const page = await list(before === undefined ? query : { ...query, before });
        yield* page.posts;
        before = page.next ?? undefined;
      } while (before !== undefined);
    },
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
