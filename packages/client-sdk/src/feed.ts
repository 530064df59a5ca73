import type { HttpTransport } from './http.js';
import { pageByPage } from './pageByPage.js';
import type { Post, PostPage } from './types.js';

/** A page of your feed: `limit` (1 to 100; the server's default is 20) before a cursor. */
export interface FeedQuery {
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly before?: number;
}

/** Your feed: the posts of the people you follow and your own, newest first. Needs sign-in. */
export interface FeedApi {
  /** One page, newest first. */
  list(query?: FeedQuery): Promise<PostPage>;
  /** Every post of your feed, newest first, fetched page by page as you iterate. */
  iterate(query?: FeedQuery): AsyncIterableIterator<Post>;
}

/** `GET /feed`. */
export function feedApi(http: HttpTransport): FeedApi {
  const list = async (query: FeedQuery = {}): Promise<PostPage> =>
    (await http.send('GET', '/feed', { ...query })).data as PostPage;
  return {
    list,
    iterate: (query: FeedQuery = {}) =>
      pageByPage(query.before, async (before) => {
        const page = await list(before === undefined ? query : { ...query, before });
        return { items: page.posts, next: page.next };
      }),
  };
}
