/** One page of a list as `pageByPage` takes it: its items, and the next page's cursor. */
export interface ListPage<T> {
  readonly items: readonly T[];
  /** Where the next page starts (a list's `next`); null: this was the last. */
  readonly next: number | null;
}

/**
 * Every item of a list the server answers in pages: from the cursor `start` (none: the first
 * page), then each page's `next`, until a page says there is no more. A page is fetched only
 * when the caller's iteration reaches it.
 *
 * @example pageByPage(query.before, async (before) => ({ items: ..., next: ... }))
 */
export async function* pageByPage<T>(
  start: number | undefined,
  fetchPage: (cursor: number | undefined) => Promise<ListPage<T>>,
): AsyncGenerator<T, void, undefined> {
  let cursor = start;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.next ?? undefined;
  } while (cursor !== undefined);
}
