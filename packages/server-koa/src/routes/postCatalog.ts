import { editPostInput, feedInput, postIdInput } from '@plaza/core/host';
import { ok, okAlone, type RouteDeclaration } from './routeDeclaration.js';
import { postPageWire, postWire } from './wireShapes.js';

/** The routes that change or remove a post, and the feed. */
export const POST_ROUTES = {
  editPost: {
    method: 'POST',
    path: '/post/edit',
    name: 'editPost',
    tag: 'posts',
    summary: 'Edit your post',
    description:
      'Any of `title`, `text` and `link` (at least one: PAR_01 on `title` when none is given), ' +
      'checked as when writing a post. An empty `link` removes the link; an empty `title` or ' +
      '`text` is PAR_01, as when writing. Sets `edited` to now and answers the post. Only its ' +
      'author may edit a post: anyone else gets USR_02 on `post_id`; a missing post is USR_01. ' +
      'The people who like the post get a `post.edited` event.',
    auth: 'required',
    input: editPostInput,
    answer: { status: 200, schema: ok(postWire) },
    errors: ['PAR_01', 'USR_01', 'USR_02', 'AUT_01', 'RAT_01'],
  },
  deletePost: {
    method: 'POST',
    path: '/post/delete',
    name: 'deletePost',
    tag: 'posts',
    summary: 'Delete your post',
    description:
      'Removes the post with its likes and comments, all at once. Only its author may: anyone ' +
      'else gets USR_02 on `post_id`; a missing post (or one already deleted) is USR_01. The ' +
      'people who liked the post get a `post.deleted` event.',
    auth: 'required',
    input: postIdInput,
    answer: { status: 200, schema: okAlone },
    errors: ['PAR_01', 'USR_01', 'USR_02', 'AUT_01', 'RAT_01'],
  },
  readFeed: {
    method: 'GET',
    path: '/feed',
    name: 'readFeed',
    tag: 'posts',
    summary: 'Your feed: posts of the people you follow, and yours',
    description:
      'Newest first, a page at a time, as `/post/list`: pass the answer’s `next` as `before` ' +
      'for the following page; `null`: no more.',
    auth: 'required',
    input: feedInput,
    answer: { status: 200, schema: ok(postPageWire) },
    errors: ['USR_02', 'AUT_01'],
  },
} as const satisfies Record<string, RouteDeclaration>;
