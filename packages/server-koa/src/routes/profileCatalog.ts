import { z } from 'zod';
import { followInput, followListInput, updateProfileInput } from '@plaza/core/host';
import { ok, okAlone, rowId, type RouteDeclaration } from './routeDeclaration.js';
import { profileWire } from './wireShapes.js';

/** One page of followers or followings, newest follow first; pass `next` as `before`. */
export const profilePageWire = z.strictObject({
  users: z.array(profileWire),
  next: rowId.nullable(),
});

/** The shapes of this module's answers, by their names in the document. */
export const PROFILE_WIRE_SCHEMAS = { ProfilePage: profilePageWire } as const;

const PAGING =
  'Newest follow first; pass the answer’s `next` as `before` for the following page (`null`: no ' +
  'more). With a token, each profile says whether you follow that user (`following`).';

/** Changing your profile, following people, and the lists of follows. */
export const PROFILE_ROUTES = {
  updateProfile: {
    method: 'POST',
    path: '/user/update',
    name: 'updateProfile',
    tag: 'users',
    summary: 'Change your profile',
    description:
      'Any of the sign-up’s optional fields and `email`, checked as at sign-up; at least one ' +
      '(USR_02 otherwise). A field not sent stays; one sent empty is cleared (`email` cannot ' +
      'be: USR_02). A new email is verified as at sign-up (USR_03, EXT_01; nothing is saved ' +
      'then). Username and password are not changed here. Answers your new profile.',
    auth: 'required',
    input: updateProfileInput,
    answer: { status: 200, schema: ok(profileWire) },
    errors: ['USR_02', 'USR_03', 'EXT_01', 'AUT_01', 'RAT_01'],
  },
  followUser: {
    method: 'POST',
    path: '/user/follow',
    name: 'followUser',
    tag: 'users',
    summary: 'Follow someone',
    description:
      'Following someone again changes nothing. Yourself: USR_02. The followed user gets a ' +
      '`user.followed` event.',
    auth: 'required',
    input: followInput,
    answer: { status: 200, schema: okAlone },
    errors: ['PAR_01', 'USR_01', 'USR_02', 'AUT_01', 'RAT_01'],
  },
  unfollowUser: {
    method: 'POST',
    path: '/user/unfollow',
    name: 'unfollowUser',
    tag: 'users',
    summary: 'Stop following someone',
    description: 'Unfollowing someone you do not follow changes nothing.',
    auth: 'required',
    input: followInput,
    answer: { status: 200, schema: okAlone },
    errors: ['PAR_01', 'USR_01', 'USR_02', 'AUT_01', 'RAT_01'],
  },
  listFollowers: {
    method: 'GET',
    path: '/user/followers',
    name: 'listFollowers',
    tag: 'users',
    summary: 'Who follows a user, a page at a time',
    description: PAGING,
    auth: 'optional',
    input: followListInput,
    answer: { status: 200, schema: ok(profilePageWire) },
    errors: ['PAR_01', 'USR_01', 'USR_02', 'AUT_01'],
  },
  listFollowing: {
    method: 'GET',
    path: '/user/following',
    name: 'listFollowing',
    tag: 'users',
    summary: 'Whom a user follows, a page at a time',
    description: PAGING,
    auth: 'optional',
    input: followListInput,
    answer: { status: 200, schema: ok(profilePageWire) },
    errors: ['PAR_01', 'USR_01', 'USR_02', 'AUT_01'],
  },
} as const satisfies Record<string, RouteDeclaration>;
