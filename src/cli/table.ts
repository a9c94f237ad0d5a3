/** Aligned plain-text tables for the terminal (no colors, so output pipes cleanly). */
export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const text = (cell: unknown): string => {
    if (cell === null || cell === undefined) return '';
    if (typeof cell === 'string') return cell;
    if (typeof cell === 'number' || typeof cell === 'boolean' || typeof cell === 'bigint')
      return cell.toString();
    return JSON.stringify(cell);
  };
  const cells = rows.map((row) => row.map(text));
  const widths = headers.map((header, index) =>
    Math.min(60, Math.max(header.length, ...cells.map((row) => (row[index] ?? '').length))),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        const clipped = cell.length > width ? `${cell.slice(0, width - 1)}…` : cell;
        return clipped.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}
