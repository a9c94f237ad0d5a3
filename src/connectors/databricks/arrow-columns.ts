/**
 * Arrow record batches of a Databricks result as Sluice column vectors (domain/column-batch.ts), keeping
 * the driver's typed buffers: 64-bit integers, native decimals, dates and microsecond timestamps stay the
 * exact binary values the server sent, strings stay UTF-8 bytes.
 *
 * Guarantees:
 * - a vector's `at(i)` equals what the row path (`toRowValue` over the casts of spark-types.ts) gives for
 *   the same cell: decimal text with the column's scale, ISO dates, ISO-8601 UTC instants with up to
 *   microseconds, base64 binary;
 * - an Arrow type that does not match the column's type as expected (a server without native Arrow types
 *   sends timestamps and decimals as text) becomes a `cells` vector through `toRowValue`, or fails with
 *   ColumnValueError (the row path's ValueConversionError, naming the column);
 * - a string column whose bytes are not valid UTF-8 is decoded with replacement characters into cells,
 *   as the driver's own decoder does, so no invalid text reaches the lake;
 * - nothing is copied except where a view would be misaligned (timestamps in an Int32 buffer).
 */
import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import type * as ArrowModule from 'apache-arrow' with { 'resolution-mode': 'require' };
import type { ColumnBatch, ColumnData, ColumnVector } from '../../domain/column-batch.ts';
import type { CellValue } from '../../domain/conversion.ts';
import type { ColumnSchema } from '../connector.ts';
import { toRowValue, ValueConversionError } from '../values.ts';

/** A value of a column that its type refuses (the row path's ValueConversionError, with the column). */
export class ColumnValueError extends Error {
  readonly column: string;
  constructor(column: string, error: ValueConversionError) {
    super(error.message);
    this.name = 'ColumnValueError';
    this.column = column;
  }
}

// The CommonJS build: the instance the driver itself loads (its ESM entry ships no typings for NodeNext).
const arrow = createRequire(import.meta.url)('apache-arrow') as typeof ArrowModule;
const { DateUnit, makeVector, RecordBatchReader, TimeUnit, Type } = arrow;
type Data = ArrowModule.Data;

const MS_PER_DAY = 86_400_000;
const decoder = new TextDecoder();

/** `YYYY-MM-DD` of a day number (days since 1970-01-01). */
export const dateOfDays = (days: number): string => new Date(days * MS_PER_DAY).toISOString().slice(0, 10);

/** The canonical ISO-8601 UTC text of a microsecond instant (milliseconds, or microseconds when needed). */
export function isoOfMicros(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const sub = Number(micros - ms * 1000n);
  const iso = new Date(Number(ms)).toISOString();
  return sub === 0 ? iso : `${iso.slice(0, -1)}${String(sub).padStart(3, '0')}Z`;
}

/** The 128-bit two's complement value at `index` (four little-endian 32-bit words). */
export function int128At(words: Uint32Array, index: number): bigint {
  const base = index * 4;
  const value =
    (BigInt(words[base + 3] ?? 0) << 96n) |
    (BigInt(words[base + 2] ?? 0) << 64n) |
    (BigInt(words[base + 1] ?? 0) << 32n) |
    BigInt(words[base] ?? 0);
  return BigInt.asIntN(128, value);
}

/** Decimal text of an unscaled value with `scale` fraction digits (as Spark casts a decimal to text). */
export function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

const doubleCell = (n: number): CellValue =>
  Number.isFinite(n) ? n : Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';

/** A BigInt64Array over `length` 64-bit values of an Int32 buffer from value `offset` (copied if misaligned). */
function int64View(values: Int32Array, offset: number, length: number): BigInt64Array {
  const byteOffset = values.byteOffset + offset * 8;
  if (byteOffset % 8 === 0) return new BigInt64Array(values.buffer, byteOffset, length);
  return new BigInt64Array(values.slice(offset * 2, (offset + length) * 2).buffer);
}

/** The column's buffers as Sluice data, or undefined when they are not of the form the type expects. */
function dataOf(column: ColumnSchema, data: Data): ColumnData | undefined {
  const { offset, length } = data;
  // The type's fields as plain values (each Arrow type class has some of them).
  const type = data.type as unknown as {
    readonly typeId: ArrowModule.Type;
    readonly bitWidth?: number;
    readonly isSigned?: boolean;
    readonly precision?: ArrowModule.Precision | number;
    readonly scale?: number;
    readonly unit?: ArrowModule.DateUnit | ArrowModule.TimeUnit;
  };
  switch (column.type) {
    case 'integer':
      return type.typeId === Type.Int && type.isSigned === true && (type.bitWidth ?? 64) <= 32
        ? { kind: 'int32', values: (data.values as Int32Array).subarray(offset, offset + length) }
        : undefined;
    case 'long':
      return type.typeId === Type.Int && type.bitWidth === 64 && type.isSigned === true
        ? { kind: 'int64', values: (data.values as BigInt64Array).subarray(offset, offset + length) }
        : undefined;
    case 'double':
      return type.typeId === Type.Float && type.precision !== arrow.Precision.HALF
        ? { kind: 'float64', values: (data.values as Float64Array).subarray(offset, offset + length) }
        : undefined;
    case 'boolean':
      return type.typeId === Type.Bool
        ? { kind: 'bool', bits: data.values as Uint8Array, offset }
        : undefined;
    case 'date':
      return type.typeId === Type.Date && type.unit === DateUnit.DAY
        ? { kind: 'days', values: (data.values as Int32Array).subarray(offset, offset + length) }
        : undefined;
    case 'date-time': {
      if (type.typeId !== Type.Timestamp || type.unit !== TimeUnit.MICROSECOND) return undefined;
      return { kind: 'micros', values: int64View(data.values as Int32Array, offset, length) };
    }
    case 'decimal': {
      if (type.typeId !== Type.Decimal || type.bitWidth !== 128) return undefined;
      return {
        kind: 'decimal128',
        words: (data.values as Uint32Array).subarray(offset * 4, (offset + length) * 4),
        precision: type.precision ?? 38,
        scale: type.scale ?? 0,
      };
    }
    case 'string':
    case 'binary': {
      const binary = column.type === 'binary';
      if (type.typeId !== (binary ? Type.Binary : Type.Utf8)) return undefined;
      const offsets = data.valueOffsets.subarray(offset, offset + length + 1);
      const bytes = data.values as Uint8Array;
      if (!binary && !isUtf8(bytes.subarray(offsets[0] ?? 0, offsets[length] ?? 0))) return undefined;
      return { kind: binary ? 'bytes' : 'utf8', offsets, data: bytes };
    }
  }
}

function cellAt(data: ColumnData, index: number): CellValue {
  switch (data.kind) {
    case 'int32':
      return data.values[index] ?? null;
    case 'int64':
      return String(data.values[index] ?? 0n);
    case 'float64':
      return doubleCell(data.values[index] ?? 0);
    case 'bool': {
      const bit = data.offset + index;
      return ((data.bits[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0;
    }
    case 'days':
      return dateOfDays(data.values[index] ?? 0);
    case 'micros':
      return isoOfMicros(data.values[index] ?? 0n);
    case 'decimal128':
      return decimalText(int128At(data.words, index), data.scale);
    case 'utf8':
    case 'bytes': {
      const bytes = data.data.subarray(data.offsets[index] ?? 0, data.offsets[index + 1] ?? 0);
      return data.kind === 'utf8'
        ? decoder.decode(bytes)
        : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    }
    case 'cells':
      return data.values[index] ?? null;
  }
}

/** One Arrow column as a vector of `column`'s type. Throws ValueConversionError for a value the type refuses. */
export function columnVector(column: ColumnSchema, data: Data): ColumnVector {
  const { length, nullCount } = data;
  const valid = nullCount > 0 ? (data.nullBitmap as Uint8Array | undefined) : undefined;
  const validity = valid === undefined ? {} : { valid, validOffset: data.offset };
  const present = (index: number): boolean => {
    if (valid === undefined) return true;
    const bit = data.offset + index;
    return ((valid[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0;
  };
  const fast = dataOf(column, data);
  if (fast !== undefined) {
    return {
      length,
      data: fast,
      nullCount: valid === undefined ? 0 : nullCount,
      ...validity,
      at: (index) => (present(index) ? cellAt(fast, index) : null),
    };
  }
  // Any other form: the cells as the row path makes them (the driver's own value, normalised).
  const vector = makeVector(data);
  const values: CellValue[] = new Array<CellValue>(length);
  let nulls = 0;
  for (let index = 0; index < length; index += 1) {
    const value = toRowValue(column.type, vector.get(index));
    values[index] = value;
    if (value === null) nulls += 1;
  }
  return { length, data: { kind: 'cells', values }, nullCount: nulls, at: (index) => values[index] ?? null };
}

/**
 * The record batches of one result chunk (the Arrow schema message, then batch messages) as column batches
 * of `columns` (matched to the Arrow fields by position, as the SELECT lists them).
 */
export function* columnBatches(
  messages: readonly Uint8Array[],
  columns: readonly ColumnSchema[],
): Generator<ColumnBatch> {
  for (const batch of RecordBatchReader.from(messages)) {
    if (batch.numRows === 0) continue;
    const children = batch.data.children;
    if (children.length !== columns.length) {
      throw new Error(
        `the result has ${String(children.length)} columns, ${String(columns.length)} expected`,
      );
    }
    const vectors = new Map<string, ColumnVector>();
    columns.forEach((column, index) => {
      try {
        vectors.set(column.name, columnVector(column, children[index] as Data));
      } catch (error) {
        throw error instanceof ValueConversionError ? new ColumnValueError(column.name, error) : error;
      }
    });
    yield { length: batch.numRows, columns: vectors };
  }
}
