import type { Context, Middleware } from 'koa';
import { HttpMethodEnum, koaBody } from 'koa-body';
import { PlazaError } from '@plaza/core';
import { MAX_BODY_DEPTH, nestsDeeperThan } from './bodyDepth.js';

export const DEFAULT_BODY_LIMIT = '100kb';

/**
 * Form and JSON bodies up to `limit`, nested at most `MAX_BODY_DEPTH` deep; nothing else (no
 * multipart, no text). A body nested deeper is refused before any route sees it.
 */
export function bodyParser(limit: string | number = DEFAULT_BODY_LIMIT): Middleware {
  const parse = koaBody({
    json: true,
    jsonStrict: true,
    urlencoded: true,
    text: false,
    multipart: false,
    jsonLimit: limit,
    formLimit: limit,
    // qs splits a form key into at most `depth` levels and keeps the rest as one literal key;
    // at our limit, a key nested deeper still comes out deeper than the limit, and is refused.
    queryString: { depth: MAX_BODY_DEPTH },
    parsedMethods: [
      HttpMethodEnum.POST,
      HttpMethodEnum.PUT,
      HttpMethodEnum.PATCH,
      HttpMethodEnum.DELETE,
    ],
    // A body that fails to inflate (corrupt gzip, deflate or br) fails without an HTTP status;
    // it is still the client's mistake, not a 500.
    onError: (error) => {
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number') throw error;
      throw new PlazaError('USR_02', 'The request body cannot be decoded.', { cause: error });
    },
  });
  return async function parseBody(ctx, next) {
    await parse(ctx, () => {
      if (nestsDeeperThan(ctx.request.body, MAX_BODY_DEPTH)) {
        throw new PlazaError('USR_02', 'The request body is nested too deeply.');
      }
      return next();
    });
  };
}

/**
 * The request's parameters: the query string, overlaid by the body's fields.
 * A JSON body must be an object; anything else is refused rather than guessed at.
 */
export function paramsOf(ctx: Context): Record<string, unknown> {
  const body: unknown = ctx.request.body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw new PlazaError('USR_02', 'The request body must be a JSON object.');
  }
  if (body === undefined || Object.keys(body).length === 0) return ctx.query;
  return { ...ctx.query, ...(body as Record<string, unknown>) };
}
