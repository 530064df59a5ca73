/**
 * The database could not be opened, reached or brought up to date at start. The message is
 * one line naming DATABASE_URL (its password hidden) and what failed.
 */
export class DatabaseUnavailable extends Error {
  override readonly name = 'DatabaseUnavailable';
}

/** A database URL fit to print: a PostgreSQL password, in the URL or its query, as `***`. */
export function withoutPassword(databaseUrl: string): string {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) return databaseUrl;
  const url = new URL(databaseUrl);
  if (url.password !== '') url.password = '***';
  for (const key of [...url.searchParams.keys()]) {
    if (/password/i.test(key)) url.searchParams.set(key, '***');
  }
  return url.toString();
}

/** The first line of what went wrong; a connection tried on several addresses has several. */
export function reasonOf(error: unknown): string {
  const message =
    error instanceof AggregateError && error.message === ''
      ? error.errors.map(reasonOf).join('; ')
      : error instanceof Error
        ? error.message
        : String(error);
  return message.split('\n', 1)[0] ?? '';
}
