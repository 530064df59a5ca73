/** How many objects and arrays a request body may nest, the body's own object counting as one. */
export const MAX_BODY_DEPTH = 32;

const isContainer = (value: unknown): value is object =>
  typeof value === 'object' && value !== null;

/**
 * Whether `value` nests objects and arrays more than `limit` levels deep (`value` itself is
 * level 1). It walks with a list of its own rather than recursion, and stops at the first
 * container past the limit: a body nested 10,000 deep costs `limit` steps, not 10,000.
 *
 * @example nestsDeeperThan({ a: [[]] }, 2) // true: the object, then two arrays
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (!isContainer(value)) return false;
  if (limit < 1) return true;
  const pending: Array<{ readonly node: object; readonly depth: number }> = [
    { node: value, depth: 1 },
  ];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const child of Object.values(next.node)) {
      if (!isContainer(child)) continue;
      if (next.depth === limit) return true;
      pending.push({ node: child, depth: next.depth + 1 });
    }
  }
  return false;
}
