/**
 * Columns padded to their widest cell, two spaces apart, with a rule under the header.
 *
 * @example formatColumns(['case', 'rate'], [['like', '2210 req/s']])
 */
export function formatColumns(
  header: readonly string[],
  lines: readonly (readonly string[])[],
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column]?.length ?? 0)),
  );
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    render(header),
    render(widths.map((width) => '-'.repeat(width))),
    ...lines.map(render),
  ].join('\n');
}
