import { z } from 'zod';
import {
  changePasswordInput,
  createPostInput,
  listPostsInput,
  loginInput,
  postIdInput,
  profileInput,
  signUpInput,
  usernameLookupInput,
  verifyTokenInput,
} from '@plaza/core/host';
import { USER_WATCH_PATH } from '../ws/userWatchUpgrade.js';
import { ACCOUNT_ROUTES, ACCOUNT_WIRE_SCHEMAS } from './accountCatalog.js';
import { ANALYTICS_ROUTES, ANALYTICS_WIRE_SCHEMAS } from './analyticsCatalog.js';
import { ACTIVITY_ROUTES, ACTIVITY_WIRE_SCHEMAS } from './activityCatalog.js';
import { SESSION_ROUTES, SESSION_WIRE_SCHEMAS } from './sessionCatalog.js';
import { INBOX_ROUTES, INBOX_WIRE_SCHEMAS } from './inboxCatalog.js';
import { POST_ROUTES } from './postCatalog.js';
import { COMMENT_ROUTES, COMMENT_WIRE_SCHEMAS } from './commentCatalog.js';
import { PROFILE_ROUTES, PROFILE_WIRE_SCHEMAS } from './profileCatalog.js';
import {
  allOptional,
  ok,
  okAlone,
  okWithToken,
  type RouteDeclaration,
} from './routeDeclaration.js';
import {
  createdPostWire,
  errorWire,
  healthWire,
  likersWire,
  postPageWire,
  postWire,
  profileWire,
  sessionWire,
  verifiedTokenWire,
} from './wireShapes.js';

export type { RouteAuth, RouteDeclaration } from './routeDeclaration.js';
export * from './wireShapes.js';

/**
 * Every route of the server, declared once: method, path, who may call it, its parameters
 * (the core's own input specs, never repeated here) and the shape of its answers. The router
 * registers the routes from here (`mountRoute`), and `openApiDocument()` describes them, so the
 * two cannot part; the API tests check every answer they receive against that document.
 */

/** Names of the shapes in the document's `components.schemas`. */
export const WIRE_SCHEMAS = {
  Profile: profileWire,
  Session: sessionWire,
  VerifiedToken: verifiedTokenWire,
  CreatedPost: createdPostWire,
  Post: postWire,
  PostPage: postPageWire,
  Likers: likersWire,
  ...COMMENT_WIRE_SCHEMAS,
  Health: healthWire,
  Error: errorWire,
  ...ACCOUNT_WIRE_SCHEMAS,
  ...SESSION_WIRE_SCHEMAS,
  ...INBOX_WIRE_SCHEMAS,
  ...PROFILE_WIRE_SCHEMAS,
  ...ANALYTICS_WIRE_SCHEMAS,
  ...ACTIVITY_WIRE_SCHEMAS,
} as const;

/** The reference page's files, served from the swagger-ui-dist package. */
export const DOCS_ASSETS = [
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'favicon-32x32.png',
  'plaza-docs.js',
] as const;

export const ROUTES = {
  health: {
    method: 'GET',
    path: '/healthz',
    name: 'health',
    tag: 'service',
    summary: 'Is the server able to serve?',
    description:
      '200 when the database answers and takes writes; OFF_01 (503) when it does not, with a ' +
      '`hint` when storage refuses writes.',
    auth: 'none',
    answer: { status: 200, schema: ok(healthWire) },
    errors: ['OFF_01'],
  },
  login: {
    method: 'POST',
    path: '/api-token-auth/',
    name: 'login',
    tag: 'auth',
    summary: 'Log in: a token for a username and password',
    description:
      'The top-level `token` is kept for the original service’s clients. A wrong username and a ' +
      'wrong password get the same answer. Each login starts a session (labelled with the ' +
      'User-Agent): `refresh_token` gets the next access token from `POST /api-token-refresh/`.',
    auth: 'none',
    input: loginInput,
    answer: { status: 200, schema: okWithToken(sessionWire) },
    errors: ['PAR_01', 'USR_02', 'AUT_02', 'AUT_03', 'RAT_01'],
  },
  verifyToken: {
    method: 'POST',
    path: '/api-token-verify/',
    name: 'verifyToken',
    tag: 'auth',
    summary: 'Whose is this token, and is it still valid?',
    auth: 'none',
    input: verifyTokenInput,
    answer: { status: 200, schema: okWithToken(verifiedTokenWire) },
    errors: ['PAR_01', 'USR_02', 'AUT_01'],
  },
  signUp: {
    method: 'POST',
    path: '/user/data',
    name: 'signUp',
    tag: 'users',
    summary: 'Sign up',
    description:
      'Hunter checks the email (when configured); the answer carries a token and a refresh token ' +
      '(a session, as a login starts), which saves a login.',
    auth: 'none',
    input: signUpInput,
    answer: { status: 200, schema: ok(sessionWire) },
    errors: ['PAR_01', 'USR_02', 'USR_03', 'USR_04', 'USR_05', 'EXT_01', 'RAT_01'],
  },
  showProfile: {
    method: 'GET',
    path: '/user/data',
    name: 'showProfile',
    tag: 'users',
    summary: 'A public profile, or your own',
    description:
      'With `user_id`: that user’s public profile (`email` only to the user themself). With ' +
      '`username` instead: the user of that name, in any case (both at once: USR_02). With ' +
      'neither, and with a token: your own profile. With a token, `following` says whether ' +
      'you follow the user.',
    auth: 'optional',
    input: allOptional({ ...profileInput, ...usernameLookupInput }),
    answer: { status: 200, schema: ok(profileWire) },
    errors: ['USR_01', 'USR_02', 'AUT_01'],
  },
  requestEnrichment: {
    method: 'POST',
    path: '/user/request-retrieve-data',
    name: 'requestEnrichment',
    tag: 'users',
    summary: 'Fill your profile in from Clearbit, later',
    description:
      'Queues the enrichment of your profile: 202 `{"code":"PENDING"}`. The outcome comes over ' +
      'the `/user-watch` WebSocket.',
    auth: 'required',
    answer: { status: 202, schema: z.strictObject({ code: z.literal('PENDING') }) },
    errors: ['AUT_01', 'RAT_01'],
  },
  changePassword: {
    method: 'POST',
    path: '/user/password',
    name: 'changePassword',
    tag: 'users',
    summary: 'Change your password',
    description:
      'Every earlier token, this request’s included, is invalid afterwards, and every session ' +
      'ends: the answer carries a new session (token and refresh token).',
    auth: 'required',
    input: changePasswordInput,
    answer: { status: 200, schema: ok(sessionWire) },
    errors: ['PAR_01', 'USR_02', 'USR_04', 'AUT_01', 'AUT_02', 'AUT_03', 'RAT_01'],
  },
  logoutEverywhere: {
    method: 'POST',
    path: '/user/logout-all',
    name: 'logoutEverywhere',
    tag: 'users',
    summary: 'End every session',
    description:
      'Every token issued so far stops working, every session ends (refresh tokens included), ' +
      'and live sockets are closed.',
    auth: 'required',
    answer: { status: 200, schema: okAlone },
    errors: ['AUT_01', 'RAT_01'],
  },
  createPost: {
    method: 'POST',
    path: '/post/data',
    name: 'createPost',
    tag: 'posts',
    summary: 'Write a post',
    auth: 'required',
    input: createPostInput,
    answer: { status: 200, schema: ok(createdPostWire) },
    errors: ['PAR_01', 'USR_02', 'AUT_01', 'RAT_01'],
  },
  readPost: {
    method: 'GET',
    path: '/post/read',
    name: 'readPost',
    tag: 'posts',
    summary: 'Read a post',
    auth: 'viewer',
    input: postIdInput,
    answer: { status: 200, schema: ok(postWire) },
    errors: ['PAR_01', 'USR_01', 'USR_02'],
  },
  listPosts: {
    method: 'GET',
    path: '/post/list',
    name: 'listPosts',
    tag: 'posts',
    summary: 'Posts, newest first, a page at a time',
    description: 'Pass the answer’s `next` as `before` for the following page; `null`: no more.',
    auth: 'viewer',
    input: listPostsInput,
    answer: { status: 200, schema: ok(postPageWire) },
    errors: ['USR_02'],
  },
  listLikers: {
    method: 'GET',
    path: '/post/likes',
    name: 'listLikers',
    tag: 'posts',
    summary: 'Who liked a post',
    auth: 'none',
    input: postIdInput,
    answer: { status: 200, schema: ok(likersWire) },
    errors: ['PAR_01', 'USR_01', 'USR_02'],
  },
  likePost: {
    method: 'POST',
    path: '/post/like',
    name: 'likePost',
    tag: 'posts',
    summary: 'Like a post',
    description: 'Liking a post again changes nothing.',
    auth: 'required',
    input: postIdInput,
    answer: { status: 200, schema: okAlone },
    errors: ['PAR_01', 'USR_01', 'USR_02', 'AUT_01', 'RAT_01'],
  },
  unlikePost: {
    method: 'POST',
    path: '/post/unlike',
    name: 'unlikePost',
    tag: 'posts',
    summary: 'Take a like back',
    description: 'Taking back a like that is not there changes nothing.',
    auth: 'required',
    input: postIdInput,
    answer: { status: 200, schema: okAlone },
    errors: ['PAR_01', 'USR_01', 'USR_02', 'AUT_01', 'RAT_01'],
  },
  ...COMMENT_ROUTES,
  openApi: {
    method: 'GET',
    path: '/openapi.json',
    name: 'openApi',
    tag: 'service',
    summary: 'This document',
    auth: 'none',
    answer: {
      status: 200,
      schema: z.record(z.string(), z.unknown()).meta({ description: 'An OpenAPI 3.1 document.' }),
    },
    errors: [],
  },
  docsPage: {
    method: 'GET',
    path: '/docs',
    name: 'docsPage',
    tag: 'service',
    summary: 'A browsable reference of this document',
    description: 'Swagger UI, served by the server itself: it works offline.',
    auth: 'none',
    answer: { status: 200, mediaTypes: ['text/html'] },
    errors: [],
  },
  docsAsset: {
    method: 'GET',
    path: '/docs/:asset',
    name: 'docsAsset',
    tag: 'service',
    summary: 'A file of the reference page',
    auth: 'none',
    pathParameter: { name: 'asset', values: DOCS_ASSETS },
    answer: { status: 200, mediaTypes: ['text/css', 'text/javascript', 'image/png'] },
    errors: ['USR_01'],
  },
  ...ACCOUNT_ROUTES,
  ...SESSION_ROUTES,
  ...INBOX_ROUTES,
  ...POST_ROUTES,
  ...PROFILE_ROUTES,
  ...ANALYTICS_ROUTES,
  ...ACTIVITY_ROUTES,
} as const satisfies Record<string, RouteDeclaration>;

export type RouteName = keyof typeof ROUTES;

/** The `/user-watch` WebSocket endpoint: not a Koa route but an upgrade of the HTTP server. */
export const USER_WATCH_ROUTE = {
  path: USER_WATCH_PATH,
  name: 'userWatch',
  summary: 'Live notices over WebSocket',
  description: [
    'A WebSocket upgrade (`GET` with `Upgrade: websocket`), answered 101.',
    '',
    'Text protocol (the original): send `/auth <TOKEN>`; the server answers `ok: user_id=<N>` ' +
      'or `error: cannot authenticate`; any other first message gets `error: syntax`. Then ' +
      '`notice: socialuser data received` or `error: cannot receive socialuser data` when an ' +
      'enrichment you queued ends.',
    '',
    'JSON protocol (`?format=json`, used by the SDK): send `{"type":"auth","token":T}`, get ' +
      '`{"type":"ready","user_id":N}`, then events such as `enrichment.completed`, ' +
      '`enrichment.failed`, `post.liked`, `post.unliked`, `post.edited`, `post.deleted`, ' +
      '`comment.created` and `user.followed`.',
    '',
    'Another path gets a plain 404; a browser page of an origin not allowed a plain 403.',
  ].join('\n'),
} as const;
