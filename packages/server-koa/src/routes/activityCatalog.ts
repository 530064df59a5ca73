import { z } from 'zod';
import { activityInput } from '@plaza/core/host';
import { isoDateTime, ok, rowId, type RouteDeclaration } from './routeDeclaration.js';

/** When a person was last seen. */
export const userActivityWire = z.strictObject({
  user_id: rowId,
  last_login: isoDateTime.nullable().meta({
    description:
      'Their last sign-in (login, sign-up or password change) or session refresh; null if none.',
  }),
  last_request: isoDateTime.nullable().meta({
    description:
      'Their last authenticated request (HTTP with a valid token, or a `/user-watch` ' +
      'authentication); null before the first.',
  }),
});

export const ACTIVITY_WIRE_SCHEMAS = {
  UserActivity: userActivityWire,
} as const;

/** User activity: when people last signed in and made a request. */
export const ACTIVITY_ROUTES = {
  userActivity: {
    method: 'GET',
    path: '/user/activity',
    name: 'userActivity',
    tag: 'users',
    summary: 'When you (or, for an admin, anyone) last signed in and made a request',
    description:
      'Without `user_id`, or with your own: your activity (`last_request` is then this ' +
      'request). Another person’s only for the accounts named in the `ADMIN_USERNAMES` ' +
      'setting, else AUT_04 (403), whether or not that person exists; an admin asking about ' +
      'nobody gets USR_01. `last_request` is kept in memory and written at most once a ' +
      'minute per person: requests made through other instances appear within a minute.',
    auth: 'required',
    input: activityInput,
    answer: { status: 200, schema: ok(userActivityWire) },
    errors: ['USR_01', 'USR_02', 'AUT_01', 'AUT_04'],
  },
} as const satisfies Record<string, RouteDeclaration>;
