/**
 * A real <table> of rows, paged on the client so that thousands of rows stay responsive (only one page is
 * in the DOM). Cells render objects as JSON. Used for previews, query results and long lists.
 */
import { useState, type ReactNode } from 'react';

export interface Column<T> {
  readonly header: string;
  readonly cell: (row: T) => ReactNode;
}

export function DataGrid<T>({
  caption,
  columns,
  rows,
  pageSize = 50,
  empty = 'No rows.',
}: {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  pageSize?: number;
  empty?: string;
}) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const current = Math.min(page, pages - 1);
  const visible = rows.slice(current * pageSize, (current + 1) * pageSize);
  return (
    <div className="grid">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {visible.length === 0 ? (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          ) : (
            visible.map((row, index) => (
              <tr key={current * pageSize + index}>
                {columns.map((column) => (
                  <td key={column.header}>{column.cell(row)}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {pages > 1 ? (
        <nav className="pager" aria-label={`${caption} pages`}>
          <button
            type="button"
            disabled={current === 0}
            onClick={() => {
              setPage(current - 1);
            }}
          >
            Previous page
          </button>
          <span>
            Page {current + 1} of {pages} ({rows.length} rows)
          </span>
          <button
            type="button"
            disabled={current >= pages - 1}
            onClick={() => {
              setPage(current + 1);
            }}
          >
            Next page
          </button>
        </nav>
      ) : null}
    </div>
  );
}

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}

/** Column definitions for rows that are plain objects. */
export function objectColumns(
  rows: readonly Record<string, unknown>[],
  names?: readonly string[],
): Column<Record<string, unknown>>[] {
  const keys = names ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return keys.map((key) => ({ header: key, cell: (row) => cellText(row[key]) }));
}
