/**
 * The incremental window of a flow-run read on Azure Table Storage: what is pushed down as OData and the
 * exact check every entity passes in memory.
 *
 * Guarantees:
 * - an entity is accepted iff its delta property is present, is a DateTime (or ISO text in a String), and
 *   `start <= value < end` holds exactly, compared as instants at microsecond precision;
 * - the pushed-down predicate is never stricter than that check, so no row of the window is lost;
 * - a window without a start (a flow's first, full read) pushes nothing down: its only bound, the end, excludes
 *   just what changed since the run began (the safety lag, the read's own duration), while the service would
 *   evaluate it on every entity it scans: the delta property is not indexed (Azure scans the same key range
 *   either way) and Azurite parses it per entity per page (≈ 1 µs an entity, 100 of the 130 ms it spends on a
 *   1,000-entity page of a 100,000-entity table). Those few later rows are dropped by the check here and read
 *   by the next window.
 *
 * Why the pushed-down bounds are widened: Azure stores DateTime with 100 ns precision, but Azurite (and,
 * for literals, the OData `datetime'…'` grammar we emit) compares at millisecond precision. A bound sent
 * as-is would drop, e.g., a row at 12:00:00.0004 for a window starting at 12:00:00.0003 when the service
 * truncates the literal or the value differently. So the lower bound goes out as the start's millisecond
 * minus 1 ms (`ge`) and the upper as the end's millisecond plus 1 ms (`le`), and the half-open interval is
 * re-checked here. The re-check truncates values to microseconds (the `Row` precision); window bounds are
 * ISO instants with at most microsecond digits, so truncation never changes the outcome of a comparison.
 */
import { AppError } from '../../domain/errors.ts';
import type { ColumnSchema, ReadRequest } from '../connector.ts';
import { toIsoDateTime } from '../values.ts';
import { isUniformColumn } from './schema.ts';
import type { RawEntity } from './sdk.ts';

export interface WindowCheck {
  /** The OData predicate for the window, or undefined when the delta property cannot be pushed down. */
  readonly odata?: string;
  /** The exact half-open check on an entity. */
  accepts(entity: RawEntity): boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An ISO instant as a sortable key: `YYYY-MM-DDTHH:MM:SS.ffffff` (UTC, microseconds). */
export function instantKey(text: string): string | undefined {
  const iso = toIsoDateTime(text);
  if (iso === undefined) return undefined;
  const dot = iso.indexOf('.');
  return `${iso.slice(0, dot + 1)}${iso.slice(dot + 1, -1).padEnd(6, '0')}`;
}

const odataInstant = (ms: number): string => `datetime'${new Date(ms).toISOString()}'`;

function boundKey(name: 'start' | 'end', value: string): { key: string; ms: number } {
  const key = instantKey(value);
  if (key === undefined) {
    throw new AppError(
      'CONNECTOR-1312-400',
      `The read window's ${name} "${value.slice(0, 40)}" is not an ISO-8601 instant.`,
    );
  }
  // Milliseconds of the instant, truncated (the key is UTC with six fraction digits).
  return { key, ms: Date.parse(`${key.slice(0, 23)}Z`) };
}

export function windowCheck(
  window: NonNullable<ReadRequest['window']>,
  columns: readonly ColumnSchema[],
): WindowCheck {
  const col = columns.find((c) => c.name === window.column);
  if (col === undefined) {
    throw new AppError(
      'CONNECTOR-1312-400',
      `The delta column "${window.column}" is not a property of the table (known: ${columns.map((c) => c.name).join(', ')}).`,
      { column: window.column },
    );
  }
  const start = window.start === undefined ? undefined : boundKey('start', window.start);
  const end = boundKey('end', window.end);
  const name = window.column;
  const accepts = (entity: RawEntity): boolean => {
    const cell = entity.get(name);
    if (cell === undefined || (cell.type !== 'DateTime' && cell.type !== 'String')) return false;
    const key = instantKey(cell.value);
    return key !== undefined && key < end.key && (start === undefined || key >= start.key);
  };
  const pushable = col.type === 'date-time' && isUniformColumn(col) && IDENTIFIER.test(name);
  if (!pushable || start === undefined) return { accepts };
  const upper = `${name} le ${odataInstant(end.ms + 1)}`;
  return { odata: `(${name} ge ${odataInstant(start.ms - 1)}) and (${upper})`, accepts };
}
