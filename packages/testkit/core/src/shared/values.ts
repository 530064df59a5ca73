import { z } from 'zod';
import { textProblem, textProblemMessage, type TextShape } from './storedText.js';

/** Length in code points, as a person counts characters (an emoji is one). */
export const codePointLength = (value: string): number => {
  let length = 0;
  for (const _ of value) length += 1;
  return length;
};

const mustBeString = (name: string) => z.string({ error: `${name} must be a string.` });

/** Adds the stored-text rule for its shape (see storedText.ts) after a field's own checks. */
const keepingTextRule = (schema: z.ZodType<string>, name: string, shape: TextShape) =>
  schema.superRefine((value, ctx) => {
    const problem = textProblem(value, shape);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: textProblemMessage(name, problem) });
    }
  });

/** A single-line string of at most `max` characters, without control or invisible characters. */
export const line = (name: string, max: number) =>
  keepingTextRule(
    mustBeString(name).refine(
      (value) => codePointLength(value) <= max,
      `${name} must be at most ${max} characters.`,
    ),
    name,
    'line',
  ).meta({ description: `One line of at most ${max} characters.` });

/** A multi-line text of at most `max` characters: line breaks and tabs allowed. */
export const text = (name: string, max: number) =>
  keepingTextRule(
    mustBeString(name).refine(
      (value) => codePointLength(value) <= max,
      `${name} must be at most ${max} characters.`,
    ),
    name,
    'multiline',
  ).meta({ description: `Text of at most ${max} characters; line breaks allowed.` });

const DIGITS = /^[0-9]{1,15}$/;

/** The largest id a row can have: id columns are 32-bit integers on PostgreSQL. */
export const MAX_ID = 2_147_483_647;

/** A positive integer id, as a JSON number or a string of digits. */
export const id = (name: string) =>
  z
    .union([z.number(), z.string()], { error: `${name} must be a positive integer.` })
    .transform((value) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value))
    .pipe(
      z
        .number({ error: `${name} must be a positive integer.` })
        .int(`${name} must be a positive integer.`)
        .min(1, `${name} must be a positive integer.`)
        .max(MAX_ID, `${name} is too large.`),
    )
    .meta({ description: 'A positive integer id, as a number or a string of digits.' });

/** An integer in [min, max], as a JSON number or a string of digits. */
export const integerBetween = (name: string, min: number, max: number) =>
  z
    .union([z.number(), z.string()], { error: `${name} must be an integer.` })
    .transform((value) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value))
    .pipe(
      z
        .number({ error: `${name} must be an integer.` })
        .int(`${name} must be an integer.`)
        .min(min, `${name} must be between ${min} and ${max}.`)
        .max(max, `${name} must be between ${min} and ${max}.`),
    )
    .meta({ description: `An integer from ${min} to ${max}, as a number or a string of digits.` });

const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** A finite number in [min, max], as a JSON number or a decimal string. */
export const numberBetween = (name: string, min: number, max: number) =>
  z
    .union([z.number(), z.string()], { error: `${name} must be a number.` })
    .transform((value) =>
      typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : value,
    )
    .pipe(
      z
        .number({ error: `${name} must be a number.` })
        .refine(Number.isFinite, `${name} must be a number.`)
        .refine(
          (value) => value >= min && value <= max,
          `${name} must be between ${min} and ${max}.`,
        ),
    )
    .meta({ description: `A number from ${min} to ${max}, as a number or a decimal string.` });

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

const isCalendarDate = (value: string): boolean => {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
};

/** A calendar date written YYYY-MM-DD. */
export const isoDate = (name: string) =>
  mustBeString(name)
    .refine(isCalendarDate, `${name} must be a date written YYYY-MM-DD.`)
    .meta({ description: 'A calendar date, YYYY-MM-DD.' });

export const MAX_URL_LENGTH = 2048;

const isHttpUrl = (value: string): boolean => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
};

/** An absolute http or https URL. */
export const httpUrl = (name: string) =>
  keepingTextRule(
    mustBeString(name)
      .refine(
        (value) => value.length <= MAX_URL_LENGTH,
        `${name} must be at most ${MAX_URL_LENGTH} characters.`,
      )
      .refine(isHttpUrl, `${name} must be an http or https URL.`),
    name,
    'identifier',
  ).meta({ description: `An absolute http or https URL of at most ${MAX_URL_LENGTH} characters.` });

export const MAX_EMAIL_LENGTH = 254;
const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]_]+\.[^\s@"(),:;<>[\\\]_]+$/u;

/** An email address of a plausible shape; deliverability is the EmailVerifier's business. */
export const email = (name: string) =>
  keepingTextRule(
    mustBeString(name)
      .refine(
        (value) => value.length <= MAX_EMAIL_LENGTH,
        `${name} must be at most ${MAX_EMAIL_LENGTH} characters.`,
      )
      .refine((value) => EMAIL.test(value), `${name} must be an email address.`),
    name,
    'identifier',
  ).meta({ description: `An email address of at most ${MAX_EMAIL_LENGTH} characters.` });

export const MAX_USERNAME_LENGTH = 150;
const USERNAME = /^[\p{L}\p{N}_.@+-]+$/u;

/** Django's rule, kept for old clients: letters, digits and @ . + - _ only. */
export const username = (name: string) =>
  keepingTextRule(
    mustBeString(name)
      .refine(
        (value) => codePointLength(value) <= MAX_USERNAME_LENGTH,
        `${name} must be at most ${MAX_USERNAME_LENGTH} characters.`,
      )
      .refine(
        (value) => USERNAME.test(value),
        `${name} may contain only letters, digits and @ . + - _ characters.`,
      ),
    name,
    'identifier',
  ).meta({
    description: `At most ${MAX_USERNAME_LENGTH} letters, digits and @ . + - _ characters.`,
  });

/** Any string; its length and strength are the password policy's business. */
export const secret = (name: string) => mustBeString(name);
