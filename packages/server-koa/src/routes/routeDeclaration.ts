import { z } from 'zod';
import type { ErrorCode } from '@plaza/core';
import { type InputSpec, optional } from '@plaza/core/host';

/**
 * `none`: anyone; `optional`: a token changes the answer (a bad one is AUT_01); `required`:
 * AUT_01 without one; `viewer`: a valid token changes the answer, and a missing, bad or expired
 * one is read as no token (the kept read routes answered anyone, whatever they sent).
 */
export type RouteAuth = 'none' | 'optional' | 'required' | 'viewer';

/** A JSON answer in SPEC's envelope (or, for `/openapi.json`, the document itself). */
interface JsonAnswer {
  readonly status: 200 | 202;
  readonly schema: z.ZodType;
}

/** A non-JSON answer: the reference page and its assets. */
interface MediaAnswer {
  readonly status: 200;
  readonly mediaTypes: readonly string[];
}

export interface RouteDeclaration {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** The handler's name, the document's `operationId`. */
  readonly name: string;
  readonly tag: 'auth' | 'users' | 'posts' | 'service';
  readonly summary: string;
  readonly description?: string;
  readonly auth: RouteAuth;
  /** The parameters, as the core checks them: query string, form or JSON body. */
  readonly input?: InputSpec;
  /** A path parameter (only the reference page's assets have one). */
  readonly pathParameter?: { readonly name: string; readonly values: readonly string[] };
  readonly answer: JsonAnswer | MediaAnswer;
  /** The error codes this route answers itself (beside the HTTP-level ones every route may). */
  readonly errors: readonly ErrorCode[];
}

export const isoDateTime = z.iso.datetime().meta({ description: 'ISO 8601, UTC' });
export const rowId = z.int().min(1);

/** `{"code":"OK","data":…}`. */
export const ok = <D extends z.ZodType>(data: D) => z.strictObject({ code: z.literal('OK'), data });

/** The token routes keep the original service's top-level `token` beside `data`. */
export const okWithToken = <D extends z.ZodType>(data: D) =>
  z.strictObject({ code: z.literal('OK'), token: z.string(), data });

export const okAlone = z.strictObject({ code: z.literal('OK') });

/** The same parameters, none of them required. */
export const allOptional = (spec: InputSpec): InputSpec =>
  Object.fromEntries(Object.entries(spec).map(([name, field]) => [name, optional(field.schema)]));
