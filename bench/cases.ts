/** The bench's cases, in the order they run: the two baselines first, then Plaza's endpoints. */
export const CASE_NAMES = ['bare-koa', 'koa-jwt', 'like', 'create', 'read', 'login'] as const;

export type CaseName = (typeof CASE_NAMES)[number];

export interface CaseInfo {
  readonly name: CaseName;
  readonly request: string;
  readonly description: string;
  /** Least acceptable ratio to the Koa + koa-body + JWT baseline, for the endpoints that have one. */
  readonly target?: number;
  readonly unit: 'req/s' | 'logins/s';
}

export const CASES: Readonly<Record<CaseName, CaseInfo>> = {
  'bare-koa': {
    name: 'bare-koa',
    request: 'POST /post/like (same requests)',
    description: 'bare Koa answering {"code":"OK"}',
    unit: 'req/s',
  },
  'koa-jwt': {
    name: 'koa-jwt',
    request: 'POST /post/like (same requests)',
    description: 'Koa + koa-body form parsing + jsonwebtoken HS256 verify',
    unit: 'req/s',
  },
  like: {
    name: 'like',
    request: 'POST /post/like',
    description: 'like a post (new rows: 2,000 posts x 50 users cycled)',
    target: 0.4,
    unit: 'req/s',
  },
  create: {
    name: 'create',
    request: 'POST /post/data',
    description: 'create a post',
    target: 0.35,
    unit: 'req/s',
  },
  read: {
    name: 'read',
    request: 'GET /post/read',
    description: 'read a post with its like count (2,000 posts cycled)',
    target: 0.5,
    unit: 'req/s',
  },
  login: {
    name: 'login',
    request: 'POST /api-token-auth/',
    description: 'log in: scrypt at the default OWASP cost (N=2^17, r=8, p=1)',
    unit: 'logins/s',
  },
};

export const isCaseName = (value: string): value is CaseName =>
  (CASE_NAMES as readonly string[]).includes(value);
