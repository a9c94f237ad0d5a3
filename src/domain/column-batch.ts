/**
 * A batch of rows held column by column, as a columnar source delivers it (Databricks' Arrow results), so a
 * run can carry the source's typed buffers through mapping into the lake without an object per row or a
 * JavaScript value per cell.
 *
 * Guarantees of a ColumnVector:
 * - `at(i)` is the cell exactly as the row path holds it (docs/types.md: long and decimal as decimal text,
 *   date as `YYYY-MM-DD`, date-time as ISO-8601 UTC with `Z`, binary as base64, null as null); whatever
 *   `data` holds, `at` is the reference and the buffers are only a faster way to the same values;
 * - `data` views start at the batch's first row (index 0 is row 0) and hold at least `length` values;
 *   `cells` is the form of any column whose buffers cannot be used as they are;
 * - `valid` (when present) is an LSB-first bitmap from bit `validOffset`: bit set = the row has a value.
 *   Without it no row is null. Values under a cleared bit are unspecified.
 */
import type { CellValue } from './conversion.ts';

export type ColumnData =
  /** integer: 8-, 16- or 32-bit signed values. */
  | { readonly kind: 'int32'; readonly values: Int8Array | Int16Array | Int32Array }
  /** long: 64-bit signed values. */
  | { readonly kind: 'int64'; readonly values: BigInt64Array }
  /** double: IEEE values (a float column widens exactly). */
  | { readonly kind: 'float64'; readonly values: Float32Array | Float64Array }
  /** boolean: LSB-first bits from bit `offset`. */
  | { readonly kind: 'bool'; readonly bits: Uint8Array; readonly offset: number }
  /** date: days since 1970-01-01. */
  | { readonly kind: 'days'; readonly values: Int32Array }
  /** date-time: microseconds since 1970-01-01T00:00:00Z. */
  | { readonly kind: 'micros'; readonly values: BigInt64Array }
  /** decimal: 128-bit two's complement unscaled values, four little-endian 32-bit words each. */
  | {
      readonly kind: 'decimal128';
      readonly words: Uint32Array;
      readonly precision: number;
      readonly scale: number;
    }
  /** string (valid UTF-8) or binary: value i is `data[offsets[i] .. offsets[i + 1])`. */
  | { readonly kind: 'utf8' | 'bytes'; readonly offsets: Int32Array; readonly data: Uint8Array }
  /** Any column as its cells (what `at` returns). */
  | { readonly kind: 'cells'; readonly values: readonly CellValue[] };

export interface ColumnVector {
  readonly length: number;
  readonly data: ColumnData;
  readonly valid?: Uint8Array;
  readonly validOffset?: number;
  /** Rows without a value (0 when `valid` is absent). */
  readonly nullCount: number;
  at(index: number): CellValue;
}

export interface ColumnBatch {
  readonly length: number;
  /** The batch's columns by name. */
  readonly columns: ReadonlyMap<string, ColumnVector>;
}

/** Whether row `index` of `vector` has a value. */
export const hasValue = (vector: ColumnVector, index: number): boolean => {
  if (vector.valid === undefined) return true;
  const bit = (vector.validOffset ?? 0) + index;
  return ((vector.valid[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0;
};

/** A column of ready cells (null = no value). */
export function cellsVector(values: readonly CellValue[]): ColumnVector {
  return {
    length: values.length,
    data: { kind: 'cells', values },
    nullCount: values.reduce<number>((count, value) => (value === null ? count + 1 : count), 0),
    at: (index) => values[index] ?? null,
  };
}

/** The rows of a batch, one object per row keyed by column name (the row path's form). */
export function batchRows(batch: ColumnBatch): Record<string, CellValue>[] {
  const columns = [...batch.columns];
  const rows: Record<string, CellValue>[] = [];
  for (let index = 0; index < batch.length; index += 1) {
    const row: Record<string, CellValue> = {};
    for (const [name, vector] of columns) row[name] = vector.at(index);
    rows.push(row);
  }
  return rows;
}
