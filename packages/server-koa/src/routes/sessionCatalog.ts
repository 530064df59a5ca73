import { z } from 'zod';
import { MAX_LISTED_SESSIONS, refreshInput } from '@plaza/core/host';
import {
  isoDateTime,
  ok,
  okAlone,
  okWithToken,
  rowId,
  type RouteDeclaration,
} from './routeDeclaration.js';
import { sessionWire } from './wireShapes.js';

/** One signed-in session, as `GET /user/sessions` lists it. */
export const signedInSessionWire = z.strictObject({
  session_id: rowId,
  device: z.string().nullable().meta({ description: 'The User-Agent it signed in with.' }),
  created: isoDateTime,
  last_used: isoDateTime,
  current: z.boolean().meta({ description: 'True for the session of the token that asked.' }),
});

/** Your live sessions, newest first. */
export const signedInSessionsWire = z.strictObject({
  sessions: z.array(signedInSessionWire),
});

export const SESSION_WIRE_SCHEMAS = {
  SignedInSession: signedInSessionWire,
  SignedInSessions: signedInSessionsWire,
} as const;

/** Sessions and refresh tokens: "sign-in that lasts". */
export const SESSION_ROUTES = {
  refreshToken: {
    method: 'POST',
    path: '/api-token-refresh/',
    name: 'refreshToken',
    tag: 'auth',
    summary: 'The next access token for a refresh token',
    description:
      'Rotation: the answer carries a new access token and a new `refresh_token`; the one sent ' +
      'is used up. Sending a used refresh token again ends its whole session (its access and ' +
      'refresh tokens stop working) and answers AUT_01, as do unknown refresh tokens and those ' +
      'of ended or expired sessions. Of two refreshes with one token at the same moment, one ' +
      'succeeds and the other ends the session. The top-level `token` is kept, as at login. No ' +
      'Authorization header is needed.',
    auth: 'none',
    input: refreshInput,
    answer: { status: 200, schema: okWithToken(sessionWire) },
    errors: ['PAR_01', 'USR_02', 'AUT_01'],
  },
  listSessions: {
    method: 'GET',
    path: '/user/sessions',
    name: 'listSessions',
    tag: 'auth',
    summary: 'Your signed-in sessions',
    description:
      `Live sessions only, newest first, at most ${MAX_LISTED_SESSIONS}; \`current\` marks the ` +
      'one of the token that asks. `last_used` is the last refresh (or the sign-in).',
    auth: 'required',
    answer: { status: 200, schema: ok(signedInSessionsWire) },
    errors: ['AUT_01'],
  },
  logout: {
    method: 'POST',
    path: '/user/logout',
    name: 'logout',
    tag: 'auth',
    summary: 'Log out this session',
    description:
      'Ends the session of the token sent: its refresh token and every access token of it stop ' +
      'working at once, and its live sockets close. A token issued before sessions existed has ' +
      'no session: the answer is OK and nothing ends (`/user/logout-all` ends such tokens).',
    auth: 'required',
    answer: { status: 200, schema: okAlone },
    errors: ['AUT_01', 'RAT_01'],
  },
} as const satisfies Record<string, RouteDeclaration>;
