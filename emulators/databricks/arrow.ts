/**
 * Arrow result batches (ARROW_BASED_SET), the format real Databricks answers when the driver says it
 * can read Arrow (its default). Honours the client's useArrowNativeTypes for timestamps and decimals;
 * arrays, maps and structs travel as JSON text, as Databricks does without complexTypesAsArrow.
 * apache-arrow comes with @databricks/sql (it is the driver's own Arrow reader).
 */
import { createRequire } from 'node:module';
import type * as ArrowModule from 'apache-arrow' with { 'resolution-mode': 'require' };
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
} from '@duckdb/node-api';
import T from '@databricks/sql/thrift/TCLIService_types.js';
import { parseDate, parseTimestamp } from './params.ts';
import type { ResultColumn, RowPage } from './results.ts';

// The CommonJS build, whose typings resolve under NodeNext (the ESM entry ships no .d.mts); it is
// also the instance the driver itself loads.
const arrow = createRequire(import.meta.url)('apache-arrow') as typeof ArrowModule;
const {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
} = arrow;
type Data = ArrowModule.Data;
type DataType = ArrowModule.DataType;
type Utf8 = ArrowModule.Utf8;
type Binary = ArrowModule.Binary;
type Schema = ArrowModule.Schema;

export interface ArrowOptions {
  timestampAsArrow: boolean;
  decimalAsArrow: boolean;
}

function arrowType(column: ResultColumn, options: ArrowOptions): DataType {
  const { type } = column;
  switch (type.typeId) {
    case T.TTypeId.BOOLEAN_TYPE:
      return new Bool();
    case T.TTypeId.TINYINT_TYPE:
      return new Int8();
    case T.TTypeId.SMALLINT_TYPE:
      return new Int16();
    case T.TTypeId.INT_TYPE:
      return new Int32();
    case T.TTypeId.BIGINT_TYPE:
      return new Int64();
    case T.TTypeId.FLOAT_TYPE:
      return new Float32();
    case T.TTypeId.DOUBLE_TYPE:
      return new Float64();
    case T.TTypeId.DATE_TYPE:
      return new DateDay();
    case T.TTypeId.TIMESTAMP_TYPE:
      return options.timestampAsArrow ? new Timestamp(TimeUnit.MICROSECOND, 'Etc/UTC') : new Utf8();
    case T.TTypeId.DECIMAL_TYPE:
      return options.decimalAsArrow ? new Decimal(type.scale ?? 0, type.precision ?? 38, 128) : new Utf8();
    case T.TTypeId.BINARY_TYPE:
      return new Binary();
    default:
      return new Utf8();
  }
}

/** Validity bitmap (1 = present), LSB-first. */
function validity(values: unknown[]): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined) nullCount++;
    else bitmap[i >> 3] = (bitmap[i >> 3] ?? 0) | (1 << (i & 7));
  });
  return { bitmap, nullCount };
}

function unscaledDecimal(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace(/^[+-]/, '').split('.');
  const digits = BigInt(`${whole || '0'}${fraction.padEnd(scale, '0').slice(0, scale)}`);
  return negative ? -digits : digits;
}

function bytesData(
  type: Utf8 | Binary,
  values: unknown[],
  length: number,
  bitmap: Uint8Array,
  nullCount: number,
) {
  const encoded = values.map((v) =>
    v === null || v === undefined
      ? new Uint8Array(0)
      : typeof v === 'string'
        ? Buffer.from(v, 'utf8')
        : v instanceof Uint8Array
          ? v
          : // Timestamps, dates and decimals sent as text (RowPage's DuckDB values).
            Buffer.from(
              String(
                v as DuckDBTimestampValue | DuckDBTimestampTZValue | DuckDBDateValue | DuckDBDecimalValue,
              ),
              'utf8',
            ),
  );
  const offsets = new Int32Array(length + 1);
  let total = 0;
  encoded.forEach((bytes, i) => {
    total += bytes.length;
    offsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  encoded.forEach((bytes, i) => {
    data.set(bytes, offsets[i]);
  });
  return makeData({ type, length, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data } as never);
}

function columnData(type: DataType, values: unknown[]): Data {
  const length = values.length;
  const { bitmap, nullCount } = validity(values);
  const base = { type, length, nullCount, nullBitmap: bitmap };
  const present = (v: unknown): boolean => v !== null && v !== undefined;
  if (type instanceof Bool) {
    return makeData({
      ...base,
      data: validity(values.map((v) => (v === true ? true : null))).bitmap,
    } as never);
  }
  if (type instanceof Int64) {
    return makeData({
      ...base,
      data: BigInt64Array.from(values, (v) => (present(v) ? (v as bigint) : 0n)),
    } as never);
  }
  if (type instanceof Int8 || type instanceof Int16 || type instanceof Int32) {
    const numbers = values.map((v) => (present(v) ? Number(v) : 0));
    const data =
      type instanceof Int8
        ? Int8Array.from(numbers)
        : type instanceof Int16
          ? Int16Array.from(numbers)
          : Int32Array.from(numbers);
    return makeData({ ...base, data } as never);
  }
  if (type instanceof Float32 || type instanceof Float64) {
    const numbers = values.map((v) => (present(v) ? Number(v) : 0));
    const data = type instanceof Float32 ? Float32Array.from(numbers) : Float64Array.from(numbers);
    return makeData({ ...base, data } as never);
  }
  // DuckDB's own values (RowPage) are taken as they are; text (static results) is parsed.
  if (type instanceof DateDay) {
    return makeData({
      ...base,
      data: Int32Array.from(values, (v) =>
        v instanceof DuckDBDateValue ? v.days : present(v) ? parseDate(String(v)).days : 0,
      ),
    } as never);
  }
  if (type instanceof Timestamp) {
    const micros = BigInt64Array.from(values, (v) =>
      v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue
        ? v.micros
        : present(v)
          ? parseTimestamp(String(v)).micros
          : 0n,
    );
    return makeData({ ...base, data: new Int32Array(micros.buffer) } as never);
  }
  if (type instanceof Decimal) {
    const words = new Uint32Array(length * 4);
    values.forEach((v, i) => {
      if (!present(v)) return;
      const unscaled =
        v instanceof DuckDBDecimalValue && v.scale === type.scale
          ? v.value
          : unscaledDecimal(String(v), type.scale);
      const unsigned = BigInt.asUintN(128, unscaled);
      for (let k = 0; k < 4; k++) words[i * 4 + k] = Number((unsigned >> BigInt(32 * k)) & 0xffffffffn);
    });
    return makeData({ ...base, data: words } as never);
  }
  return bytesData(type as Utf8 | Binary, values, length, bitmap, nullCount);
}

const continuation = 0xffffffff;

/** Splits an IPC stream (schema message, one batch message, end-of-stream marker) into its parts. */
function splitStream(stream: Uint8Array): { schema: Buffer; batch: Buffer } {
  const buffer = Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength);
  if (buffer.readUInt32LE(0) !== continuation) throw new Error('unexpected Arrow IPC framing');
  const schemaLength = 8 + buffer.readInt32LE(4);
  const end = buffer.length - 8;
  return {
    schema: Buffer.from(buffer.subarray(0, schemaLength)),
    batch: Buffer.from(buffer.subarray(schemaLength, end)),
  };
}

export class ArrowEncoder {
  private readonly schema: Schema;
  readonly schemaBytes: Buffer;

  constructor(columns: ResultColumn[], options: ArrowOptions) {
    this.schema = new Schema(columns.map((c) => new Field(c.name, arrowType(c, options), true)));
    this.schemaBytes = this.encodeStream({ rowCount: 0, columns: columns.map(() => []) }).schema;
  }

  private encodeStream(page: RowPage): { schema: Buffer; batch: Buffer } {
    const children = this.schema.fields.map((field, i) =>
      columnData(field.type as DataType, page.columns[i] ?? []),
    );
    const struct = makeData({
      type: new Struct(this.schema.fields),
      length: page.rowCount,
      nullCount: 0,
      children,
    } as never);
    const batch = new RecordBatch(this.schema, struct as never);
    return splitStream(RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true));
  }

  /** One IPC record-batch message (no schema), as in TSparkArrowBatch.batch. */
  encode(page: RowPage): Buffer {
    return this.encodeStream(page).batch;
  }
}
