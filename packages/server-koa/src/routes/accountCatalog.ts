import { z } from 'zod';
import { notificationWire } from './inboxCatalog.js';
import { deleteAccountInput } from '@plaza/core/host';
import { isoDateTime, ok, okAlone, rowId, type RouteDeclaration } from './routeDeclaration.js';
import { profileWire } from './wireShapes.js';

// Leaving: the export of everything held about an account, and its deletion.

const count = z.int().min(0);

// The profile's fields (`email` always, never the viewer's `following`), in the order the export
// writes them: id and name, the email and its verdict, the profile, then the row's timestamps.
const { user_id, username, ...profileFields } = profileWire.omit({
  email: true,
  following: true,
}).shape;

/** The account's own row: every column but the password hash and the token version. */
export const exportedAccountWire = z.strictObject({
  user_id,
  username,
  email: z.string(),
  email_verdict: z.string().meta({ description: 'What the email verifier said at sign-up.' }),
  ...profileFields,
  created: isoDateTime,
  updated: isoDateTime,
  last_request: isoDateTime
    .nullable()
    .meta({ description: 'Your last authenticated request (see `GET /user/activity`).' }),
});

const exportedFollowWire = z.strictObject({
  user_id: rowId,
  username: z.string(),
  since: isoDateTime,
});

/** Everything Plaza holds about the caller; lists oldest first. */
export const accountExportWire = z.strictObject({
  exported_at: isoDateTime,
  account: exportedAccountWire,
  posts: z.array(
    z.strictObject({
      post_id: rowId,
      title: z.string(),
      text: z.string(),
      link: z.string().nullable(),
      likes: count,
      comments: count,
      posted: isoDateTime,
      edited: isoDateTime,
    }),
  ),
  comments: z.array(
    z.strictObject({
      comment_id: rowId,
      post_id: rowId,
      text: z.string(),
      created: isoDateTime,
    }),
  ),
  likes: z.array(z.strictObject({ post_id: rowId, created: isoDateTime })),
  following: z.array(exportedFollowWire).meta({ description: 'The people you follow.' }),
  followers: z.array(exportedFollowWire).meta({ description: 'The people who follow you.' }),
  sessions: z.array(
    z.strictObject({
      session_id: rowId,
      device: z.string().nullable(),
      created: isoDateTime,
      last_used: isoDateTime,
      expires: isoDateTime,
      revoked: isoDateTime.nullable(),
    }),
  ),
  enrichment_jobs: z.array(
    z.strictObject({
      job_id: rowId,
      state: z.string(),
      attempts: count,
      last_error: z.string().nullable(),
      created: isoDateTime,
      updated: isoDateTime,
    }),
  ),
  notifications: z.array(notificationWire),
});

export const ACCOUNT_WIRE_SCHEMAS = {
  AccountExport: accountExportWire,
} as const;

export const ACCOUNT_ROUTES = {
  exportAccount: {
    method: 'GET',
    path: '/user/export',
    name: 'exportAccount',
    tag: 'users',
    summary: 'Everything Plaza holds about you, as one JSON document',
    description:
      'Your account (with email), posts, comments, likes, follows both ways, sessions (never ' +
      'their tokens) and enrichment jobs; never the password hash. Sent as an attachment ' +
      '(`Content-Disposition`). Export, then `POST /user/delete`, is the GDPR path.',
    auth: 'required',
    answer: { status: 200, schema: ok(accountExportWire) },
    errors: ['AUT_01', 'RAT_01'],
  },
  deleteAccount: {
    method: 'POST',
    path: '/user/delete',
    name: 'deleteAccount',
    tag: 'users',
    summary: 'Delete your account and everything you wrote',
    description:
      'Asks for your `password` again (a wrong one is AUT_02, counted as a failed login). Then ' +
      'your posts (with their likes and comments), your likes, comments and follows (taken off ' +
      'the counts they were in), sessions and jobs are deleted in one transaction; your tokens ' +
      'stop working and your live sockets close at once, and your username is free again.',
    auth: 'required',
    input: deleteAccountInput,
    answer: { status: 200, schema: okAlone },
    errors: ['PAR_01', 'USR_02', 'AUT_01', 'AUT_02', 'AUT_03', 'RAT_01'],
  },
} as const satisfies Record<string, RouteDeclaration>;
