import { z } from 'zod';
import { malformedParam, missingParam } from '../errors.js';

/** One parameter of an operation: how to check its value, and whether it must be present. */
export interface Field<T, Required extends boolean> {
  readonly schema: z.ZodType<T>;
  readonly required: Required;
}

export type InputSpec = Readonly<Record<string, Field<unknown, boolean>>>;

/**
 * Parameters as they arrive, not yet checked: a form, a query string, a JSON body, or a JS
 * caller's object. Every service method that takes input accepts these beside its typed input
 * and checks them itself, once, so an HTTP request and a direct call meet the same rules.
 *
 * @example await plaza.posts.read(ctx.query) // PAR_01 / USR_02 as over HTTP when it is bad
 */
export type RawParams = Readonly<Record<string, unknown>>;

type RequiredKeys<S extends InputSpec> = {
  [K in keyof S]: S[K] extends Field<unknown, true> ? K : never;
}[keyof S];

type OptionalKeys<S extends InputSpec> = Exclude<keyof S, RequiredKeys<S>>;

type ValueOf<F> = F extends Field<infer T, boolean> ? T : never;

/** The checked value of an input spec: required fields present, optional ones maybe absent. */
export type Parsed<S extends InputSpec> = {
  -readonly [K in RequiredKeys<S>]: ValueOf<S[K]>;
} & {
  -readonly [K in OptionalKeys<S>]?: ValueOf<S[K]> | null;
};

export const required = <T>(schema: z.ZodType<T>): Field<T, true> => ({
  schema,
  required: true,
});

export const optional = <T>(schema: z.ZodType<T>): Field<T, false> => ({
  schema,
  required: false,
});

/** Absent, null and the empty string all mean "not given" (forms send empty fields). */
const isAbsent = (value: unknown): boolean => value === undefined || value === null || value === '';

/**
 * Checks raw parameters (from a form, JSON body, query string or a JS caller) against a spec.
 * The first problem wins: a missing required parameter is PAR_01, a malformed one USR_02.
 * Parameters the spec does not name are ignored. An optional parameter given as empty or
 * null comes back as `null` ("clear it"); one not given at all stays absent.
 *
 * @example const { post_id } = parseInput({ post_id: required(id('post_id')) }, ctx.query)
 */
export function parseInput<S extends InputSpec>(spec: S, raw: unknown): Parsed<S> {
  const source: Readonly<Record<string, unknown>> =
    typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const parsed: Record<string, unknown> = {};
  for (const name of Object.keys(spec)) {
    const field = spec[name] as Field<unknown, boolean>;
    const value = Object.hasOwn(source, name) ? source[name] : undefined;
    if (isAbsent(value)) {
      if (field.required) throw missingParam(name);
      if (value !== undefined) parsed[name] = null;
      continue;
    }
    const result = field.schema.safeParse(value);
    if (!result.success) {
      throw malformedParam(name, result.error.issues[0]?.message ?? `${name} is malformed.`);
    }
    parsed[name] = result.data;
  }
  return parsed as Parsed<S>;
}
