import { z } from 'zod';
import { ConfigError } from './errors.js';

/** Environment-style settings: every value a string or unset. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * How the text of a key becomes a value: a zod schema, the message for text it refuses, and
 * what it takes, in words, for `--help` and the docs.
 */
export interface SettingKind<T> {
  /** Takes the key's text, trimmed and not empty. */
  readonly schema: z.ZodType<T, string>;
  /** The message for `value` the schema refused; `detail` is the schema's own first message. */
  readonly refusal: (key: string, value: string, detail: string) => string;
  /** What values it takes: "a whole number from 60 to 2678400"; empty for free text. */
  readonly accepts: string;
}

/** Where a setting is listed in `--help`, `.env.example` and the configuration table. */
export type SettingGroup =
  | 'HTTP server'
  | 'Logs'
  | 'Request rates'
  | 'WebSocket /user-watch'
  | 'Database'
  | 'Tokens and passwords'
  | 'Failed logins'
  | 'Activity and admins'
  | 'Providers'
  | 'Enrichment jobs'
  | 'Inbox';

/** One configuration key, declared once: how it is read, its default and its meaning. */
export interface SettingSpec<T> {
  readonly kind: SettingKind<T>;
  /** The value that applies while the key is unset, when one value does. */
  readonly default?: NoInfer<T>;
  /** What applies while the key is unset, in words, when no one value does (or to say more). */
  readonly defaultText?: string;
  /** One line; `code` in backticks (the docs table keeps them, `--help` drops them). */
  readonly meaning: string;
  readonly group: SettingGroup;
  /** A key or password: `.env.example` never shows a value for it. */
  readonly secret?: true;
}

export interface Setting<T = unknown> extends SettingSpec<T> {
  readonly key: string;
}

/** One setting as help texts print it: every part one line of plain text. */
export interface SettingDescription {
  readonly key: string;
  /** What applies while the key is unset. */
  readonly default: string;
  /** One line. */
  readonly meaning: string;
  /** What values it takes; empty for free text. */
  readonly accepts: string;
}

/**
 * Declares settings by key; each gets its key as `key`, in the order written.
 *
 * @example const { PORT } = declareSettings({ PORT: { kind: wholeNumber(0, 65535), default: 8000, meaning: 'the port', group: 'HTTP server' } })
 */
export function declareSettings<T extends Record<string, unknown>>(specs: {
  readonly [K in keyof T & string]: SettingSpec<T[K]>;
}): { readonly [K in keyof T & string]: Setting<T[K]> & { readonly key: K } } {
  return Object.fromEntries(
    Object.entries(specs).map(([key, spec]) => [key, { key, ...(spec as object) }]),
  ) as { readonly [K in keyof T & string]: Setting<T[K]> & { readonly key: K } };
}

/**
 * The value of `setting` in `env`, or undefined when unset or blank. Throws a ConfigError,
 * naming the key, for text the setting does not take.
 *
 * @example readSetting({ JWT_TTL: '600' }, PLAZA_SETTING.JWT_TTL) // 600
 */
export function readSetting<T>(env: Env, setting: Setting<T>): T | undefined {
  const value = env[setting.key]?.trim();
  if (value === undefined || value === '') return undefined;
  const parsed = setting.kind.schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues[0]?.message ?? '';
  throw new ConfigError(setting.kind.refusal(setting.key, value, detail));
}

/** The value of `setting` in `env`, or its declared default (which it must have). */
export function settingOrDefault<T>(env: Env, setting: Setting<T>): T {
  const value = readSetting(env, setting) ?? setting.default;
  if (value === undefined) throw new TypeError(`${setting.key} has no default value`);
  return value;
}

const plain = (text: string): string => text.replaceAll('`', '');

/** What `--help` prints of `setting`: its default and meaning in plain text. */
export function describeSetting(setting: Setting): SettingDescription {
  return {
    key: setting.key,
    default: plain(defaultOf(setting)),
    meaning: plain(setting.meaning),
    accepts: plain(setting.kind.accepts),
  };
}

/** The declared default value as a key's text, or undefined when none is declared. */
export function defaultValueText(setting: Setting): string | undefined {
  const value = setting.default;
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The default in words, with backticks around a literal value. */
export function defaultOf(setting: Setting): string {
  const text = defaultValueText(setting);
  const value = text === undefined ? undefined : `\`${text}\``;
  if (value === undefined) return setting.defaultText ?? 'none';
  return setting.defaultText === undefined ? value : `${value}, ${setting.defaultText}`;
}

/**
 * A whole number in [min, max].
 *
 * @example wholeNumber(60, 2_678_400)
 */
export function wholeNumber(min: number, max: number): SettingKind<number> {
  return {
    schema: z
      .string()
      .regex(/^[0-9]+$/)
      .transform(Number)
      .pipe(z.number().int().min(min).max(max)),
    refusal: (key, value) =>
      `${key} must be a whole number from ${min} to ${max}; it is "${value}".`,
    accepts: `a whole number from ${min} to ${max}`,
  };
}

const TRUE = ['1', 'true', 'yes', 'on'] as const;
const FALSE = ['0', 'false', 'no', 'off'] as const;

/** true or false, in any case; 1/0, yes/no and on/off too. */
export const onOff: SettingKind<boolean> = {
  schema: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum([...TRUE, ...FALSE]))
    .transform((value) => (TRUE as readonly string[]).includes(value)),
  refusal: (key, value) => `${key} must be true or false; it is "${value.toLowerCase()}".`,
  accepts: 'true or false (also 1/0, yes/no, on/off)',
};

/**
 * One of `choices`, exactly as written.
 *
 * @example oneOf(['real', 'fake'] as const)
 */
export function oneOf<const C extends readonly [string, ...string[]]>(
  choices: C,
): SettingKind<C[number]> {
  return {
    schema: z.enum(choices as unknown as [C[number], ...C[number][]]),
    refusal: (key, value) => `${key} must be one of ${choices.join(', ')}; it is "${value}".`,
    accepts: `one of ${choices.join(', ')}`,
  };
}

/** Free text, trimmed. */
export const text: SettingKind<string> = {
  schema: z.string(),
  refusal: (key, value) => `${key} cannot be "${value}".`,
  accepts: '',
};

/**
 * Text that `check` accepts (it throws an Error saying why not); the value is the text itself.
 * The refusal is `check`'s message, unless `refusal` words it otherwise.
 *
 * @example checkedText(parseDatabaseUrl, 'sqlite:PATH or postgres://…')
 */
export function checkedText<T>(
  check: (value: string) => T,
  accepts: string,
  refusal: SettingKind<T>['refusal'] = (_key, _value, detail) => detail,
): SettingKind<T> {
  return {
    schema: z.string().transform((value, ctx) => {
      try {
        return check(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
    refusal,
    accepts,
  };
}
