/**
 * Spark SQL types → Sluice's normalized types (docs/types.md), and the select expression that reads each
 * type EXACTLY whatever result format the server picks: 64-bit integers, decimals, dates and timestamps are
 * cast to text on the server (the driver would turn them into lossy JS numbers or millisecond Dates),
 * binary becomes base64 and complex types JSON text.
 */
import type { ColumnSchema, NormalizedType } from '../connector.ts';
import { column } from '../values.ts';
import { quoteIdent } from './sql-text.ts';

const SIMPLE: Readonly<Record<string, NormalizedType>> = {
  tinyint: 'integer',
  byte: 'integer',
  smallint: 'integer',
  short: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'long',
  long: 'long',
  float: 'double',
  real: 'double',
  double: 'double',
  string: 'string',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'date-time',
  timestamp_ltz: 'date-time',
  timestamp_ntz: 'date-time',
  binary: 'binary',
};

/** Maps a Spark type as DESCRIBE prints it (`decimal(38,9)`, `array<string>`, `varchar(10)`). */
export const sparkColumn = (name: string, sparkType: string): ColumnSchema => {
  const original = sparkType.trim();
  const lower = original.toLowerCase().replace(/\s+not\s+null$/, '');
  const simple = SIMPLE[lower];
  if (simple !== undefined) return column(name, simple, { originalType: original });
  const decimal = /^(?:decimal|dec|numeric)(?:\((\d+)\s*(?:,\s*(\d+))?\))?$/.exec(lower);
  if (decimal !== null) {
    return column(name, 'decimal', {
      originalType: original,
      precision: Number(decimal[1] ?? 10),
      scale: Number(decimal[2] ?? 0),
    });
  }
  if (/^(?:var)?char\(\d+\)$/.test(lower)) return column(name, 'string', { originalType: original });
  return column(name, 'string', { originalType: original });
};

const COMPLEX = /^(array|map|struct)\s*</i;

/** The expression selecting `column` so its value reaches Sluice without loss (aliased to its own name). */
export const selectExpression = (col: ColumnSchema): string => {
  const id = quoteIdent(col.name);
  const original = typeof col.meta?.originalType === 'string' ? col.meta.originalType : '';
  switch (col.type) {
    case 'long':
    case 'decimal':
    case 'date':
    case 'date-time':
      return `CAST(${id} AS STRING) AS ${id}`;
    case 'binary':
      return `base64(${id}) AS ${id}`;
    case 'string':
      if (COMPLEX.test(original)) return `to_json(${id}) AS ${id}`;
      if (/^(?:string|(?:var)?char\(\d+\))$/i.test(original) || original === '') return id;
      return `CAST(${id} AS STRING) AS ${id}`;
    default:
      return id;
  }
};

/**
 * The expression selecting `column` for an Arrow read (arrow-columns.ts): 64-bit integers, decimals, dates,
 * timestamps and binary come as the server's native Arrow values (exact, unlike the driver's row values);
 * everything else as `selectExpression`.
 */
export const arrowSelectExpression = (col: ColumnSchema): string => {
  switch (col.type) {
    case 'long':
    case 'decimal':
    case 'date':
    case 'date-time':
    case 'binary':
      return quoteIdent(col.name);
    default:
      return selectExpression(col);
  }
};
