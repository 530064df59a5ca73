import { z } from 'zod';
import { commentIdInput, createCommentInput, listCommentsInput } from '@plaza/core/host';
import { isoDateTime, ok, okAlone, rowId, type RouteDeclaration } from './routeDeclaration.js';
import { authorWire } from './wireShapes.js';

/** `POST /post/comment` answers the new comment's id. */
export const createdCommentWire = z.strictObject({ comment_id: rowId });

export const commentWire = z.strictObject({
  comment_id: rowId,
  post_id: rowId,
  author: authorWire,
  text: z.string(),
  created: isoDateTime,
});

/** One page, oldest first; pass `next` as `after` for the following page (null: no more). */
export const commentPageWire = z.strictObject({
  comments: z.array(commentWire),
  next: rowId.nullable(),
});

export const COMMENT_WIRE_SCHEMAS = {
  CreatedComment: createdCommentWire,
  Comment: commentWire,
  CommentPage: commentPageWire,
} as const;

export const COMMENT_ROUTES = {
  createComment: {
    method: 'POST',
    path: '/post/comment',
    name: 'createComment',
    tag: 'posts',
    summary: 'Comment on a post',
    description:
      '`text` is 1 to 5,000 characters (code points: an emoji is one); line breaks allowed. ' +
      'The post’s author is told over `/user-watch` (`comment.created`), unless it is their own.',
    auth: 'required',
    input: createCommentInput,
    answer: { status: 200, schema: ok(createdCommentWire) },
    errors: ['PAR_01', 'USR_01', 'USR_02', 'AUT_01', 'RAT_01'],
  },
  listComments: {
    method: 'GET',
    path: '/post/comments',
    name: 'listComments',
    tag: 'posts',
    summary: 'A post’s comments, oldest first, a page at a time',
    description:
      'Pass the answer’s `next` as `after` for the following page; `null`: no more. Each ' +
      'comment shows its author.',
    auth: 'none',
    input: listCommentsInput,
    answer: { status: 200, schema: ok(commentPageWire) },
    errors: ['PAR_01', 'USR_01', 'USR_02'],
  },
  deleteComment: {
    method: 'POST',
    path: '/comment/delete',
    name: 'deleteComment',
    tag: 'posts',
    summary: 'Delete a comment',
    description:
      'Allowed to the comment’s author and to the post’s author; anyone else gets USR_02 on ' +
      '`comment_id`. A comment already gone is USR_01.',
    auth: 'required',
    input: commentIdInput,
    answer: { status: 200, schema: okAlone },
    errors: ['PAR_01', 'USR_01', 'USR_02', 'AUT_01', 'RAT_01'],
  },
} as const satisfies Record<string, RouteDeclaration>;
