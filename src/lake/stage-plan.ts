/**
 * How a dataset schema is staged for writing: one staging-table column per leaf field, of the field's own
 * engine type (BIGINT, DECIMAL(p,s), TIMESTAMPTZ, DATE, …), plus one null flag per object field. Rows are
 * checked value by value (input-values.ts) and written into a data chunk's typed buffers (chunk-builder.ts),
 * so no value is formatted as text for the engine to parse again; the file is then written by a SELECT that
 * packs objects back into STRUCTs, so the Parquet file has the dataset's real types (layout.ts `sqlType`).
 */
import { hasValue, type ColumnBatch, type ColumnData, type ColumnVector } from '../domain/column-batch.ts';
import type { DatasetField, DatasetSchema } from '../domain/dataset.ts';
import { decimalType, STAGED, type ChunkBuilder, type StagedType } from './chunk-builder.ts';
import {
  daysOf,
  fastDays,
  fastLong,
  fastMicros,
  fastUnscaled,
  longOf,
  microsOf,
  toBoolean,
  toBytes,
  toDateText,
  toDateTimeText,
  toDecimalText,
  toDouble,
  toInteger,
  toLongText,
  toText,
  unscaledOf,
  ValueError,
} from './input-values.ts';
import { ident } from './layout.ts';

export interface StageColumn {
  readonly name: string;
  readonly type: StagedType;
  /** Fixed bytes per value, or 0 when the value's length counts. */
  readonly size: number;
}

export interface StagePlan {
  readonly columns: readonly StageColumn[];
  /** Column definitions of the staging table. */
  readonly tableSql: string;
  /** The select list that turns staged columns into the dataset's columns. */
  readonly selectSql: string;
  /**
   * Checks `row` and writes its staged values into the builder's current row; returns the row's estimated
   * bytes. Throws ValueError (the caller drops the half-written row).
   */
  fill(row: Readonly<Record<string, unknown>>, builder: ChunkBuilder): number;
  /**
   * Column by column: rows `from .. from + count` of `batch` (keyed by top-level field; a missing column is
   * null) into the builder's rows `rows .. rows + count`, which the caller then ends with `endRows`. Typed
   * buffers of the field's own type are copied as they are; any other column goes value by value through
   * the checks of `fill`. Absent when the schema has object fields. Throws ValueError (the caller drops
   * the rows and refills them row by row to name the row).
   */
  readonly fillColumns?: (batch: ColumnBatch, from: number, count: number, builder: ChunkBuilder) => number;
}

/** Writes one checked, non-null value into cell (`index`, `row`) of the builder; returns its bytes. */
type Put = (builder: ChunkBuilder, index: number, row: number, value: unknown, at: string) => number;

const text: Put = (b, i, r, v) => {
  const value = toText(v);
  b.setText(i, r, value);
  return value.length;
};
const blob: Put = (b, i, r, v, at) => {
  const value = toBytes(v, at);
  b.setBlob(i, r, value);
  return value.length;
};
const boolean: Put = (b, i, r, v, at) => {
  b.setBoolean(i, r, toBoolean(v, at));
  return 1;
};
const integer: Put = (b, i, r, v, at) => {
  b.setNumber(i, r, toInteger(v, at));
  return 4;
};
const double: Put = (b, i, r, v, at) => {
  b.setNumber(i, r, toDouble(v, at));
  return 8;
};
// The canonical texts connectors produce take a fast path; anything else is checked in full.
const long: Put = (b, i, r, v, at) => {
  b.setInteger(i, r, (typeof v === 'string' ? fastLong(v) : undefined) ?? longOf(toLongText(v, at)));
  return 8;
};
const date: Put = (b, i, r, v, at) => {
  b.setNumber(i, r, (typeof v === 'string' ? fastDays(v) : undefined) ?? daysOf(toDateText(v, at)));
  return 4;
};
const dateTime: Put = (b, i, r, v, at) => {
  b.setInteger(i, r, (typeof v === 'string' ? fastMicros(v) : undefined) ?? microsOf(toDateTimeText(v, at)));
  return 8;
};

type Fill = (value: unknown, builder: ChunkBuilder, row: number) => number;

/** Copies rows `from .. from + count` of `data` into column `index` at builder row `at` when `data` is of the
 * field's own type (nulls aside); returns the bytes, or undefined when the values need checking one by one. */
function copyTyped(
  field: DatasetField,
  data: ColumnData,
  builder: ChunkBuilder,
  index: number,
  at: number,
  from: number,
  count: number,
): number | undefined {
  const end = from + count;
  switch (`${field.type}:${data.kind}`) {
    case 'long:int64':
    case 'date-time:micros':
    case 'date:days':
      builder.copyValues(
        index,
        at,
        (data as { values: BigInt64Array | Int32Array }).values.subarray(from, end),
      );
      return count * (field.type === 'date' ? 4 : 8);
    case 'integer:int32':
    case 'double:float64': {
      const { values } = data as {
        values: Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
      };
      if (values instanceof Int32Array || values instanceof Float64Array) {
        builder.copyValues(index, at, values.subarray(from, end));
      } else {
        for (let i = 0; i < count; i += 1) builder.setNumber(index, at + i, values[from + i] ?? 0);
      }
      return count * (field.type === 'integer' ? 4 : 8);
    }
    case 'boolean:bool': {
      const { bits, offset } = data as { bits: Uint8Array; offset: number };
      for (let i = 0; i < count; i += 1) {
        const bit = offset + from + i;
        builder.setBoolean(index, at + i, ((bits[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0);
      }
      return count;
    }
    case 'decimal:decimal128': {
      const decimal = data as { words: Uint32Array; precision: number; scale: number };
      if (decimal.scale !== (field.scale ?? 9) || decimal.precision > (field.precision ?? 38))
        return undefined;
      builder.copyDecimals(index, at, decimal.words.subarray(from * 4, end * 4));
      return count * 16;
    }
    case 'string:utf8':
    case 'binary:bytes': {
      const { offsets, data: bytes } = data as { offsets: Int32Array; data: Uint8Array };
      for (let i = 0; i < count; i += 1) {
        builder.setBlob(index, at + i, bytes.subarray(offsets[from + i] ?? 0, offsets[from + i + 1] ?? 0));
      }
      return (offsets[end] ?? 0) - (offsets[from] ?? 0);
    }
    default:
      return undefined;
  }
}

type ColumnFill = (
  vector: ColumnVector | undefined,
  from: number,
  count: number,
  builder: ChunkBuilder,
) => number;

function columnFill(field: DatasetField, index: number, put: Put, path: string): ColumnFill {
  return (vector, from, count, builder) => {
    const at = builder.rows;
    if (vector === undefined) {
      for (let i = 0; i < count; i += 1) builder.setNull(index, at + i);
      return count;
    }
    const copied = copyTyped(field, vector.data, builder, index, at, from, count);
    if (copied !== undefined) {
      if (vector.nullCount === 0) return copied;
      let nulls = 0;
      for (let i = 0; i < count; i += 1) {
        if (hasValue(vector, from + i)) continue;
        builder.setNull(index, at + i);
        nulls += 1;
      }
      return copied + nulls;
    }
    let bytes = 0;
    for (let i = 0; i < count; i += 1) {
      const value = vector.at(from + i);
      if (value === null) {
        builder.setNull(index, at + i);
        bytes += 1;
      } else {
        bytes += put(builder, index, at + i, value, path);
      }
    }
    return bytes;
  };
}

export function planStage(schema: DatasetSchema): StagePlan {
  const columns: StageColumn[] = [];
  const add = (type: StagedType, size: number): { index: number; ref: string } => {
    const index = columns.length;
    const name = `c${index}`;
    columns.push({ name, type, size });
    return { index, ref: ident(name) };
  };

  /** Returns the SQL expression of a field and the filler of its staged columns. */
  const plan = (field: DatasetField, path: string): { sql: string; fill: Fill; column?: ColumnFill } => {
    const leaf = (type: StagedType, size: number, put: Put) => {
      const { index, ref } = add(type, size);
      return {
        sql: ref,
        column: columnFill(field, index, put, path),
        fill: (value: unknown, builder: ChunkBuilder, row: number): number => {
          if (value === null || value === undefined) {
            builder.setNull(index, row);
            return 1;
          }
          return put(builder, index, row, value, path);
        },
      };
    };
    switch (field.type) {
      case 'string':
        return leaf(STAGED.varchar, 0, text);
      case 'boolean':
        return leaf(STAGED.boolean, 1, boolean);
      case 'integer':
        return leaf(STAGED.integer, 4, integer);
      case 'double':
        return leaf(STAGED.double, 8, double);
      case 'binary':
        return leaf(STAGED.blob, 0, blob);
      case 'long':
        return leaf(STAGED.bigint, 8, long);
      case 'date':
        return leaf(STAGED.date, 4, date);
      case 'date-time':
        return leaf(STAGED.timestamptz, 8, dateTime);
      case 'decimal': {
        const precision = field.precision ?? 38;
        const scale = field.scale ?? 9;
        return leaf(decimalType(precision, scale), 16, (b, i, r, v, at) => {
          b.setInteger(
            i,
            r,
            (typeof v === 'string' ? fastUnscaled(v, precision, scale) : undefined) ??
              unscaledOf(toDecimalText(v, at, precision, scale)),
          );
          return 16;
        });
      }
      case 'object': {
        const isNull = add(STAGED.boolean, 1);
        const members = (field.fields ?? []).map((member) => ({
          name: member.name,
          ...plan(member, `${path}.${member.name}`),
        }));
        const packed = `struct_pack(${members.map((member) => `${ident(member.name)} := ${member.sql}`).join(', ')})`;
        return {
          sql: `CASE WHEN ${isNull.ref} THEN NULL ELSE ${packed} END`,
          fill: (value, builder, row) => {
            const absent = value === null || value === undefined;
            if (
              !absent &&
              (typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array)
            ) {
              throw new ValueError(
                path,
                `${typeof value === 'string' ? JSON.stringify(value).slice(0, 40) : Array.isArray(value) ? 'an array' : typeof value} is not an object`,
              );
            }
            builder.setBoolean(isNull.index, row, absent);
            const source = (absent ? {} : value) as Record<string, unknown>;
            let bytes = 1;
            for (const member of members) bytes += member.fill(source[member.name], builder, row);
            return bytes;
          },
        };
      }
    }
  };

  const top = schema.fields.map((field) => ({ name: field.name, ...plan(field, field.name) }));
  const leaves = top.flatMap((field) =>
    field.column === undefined ? [] : [{ ...field, column: field.column }],
  );
  const fillColumns =
    leaves.length === top.length
      ? (batch: ColumnBatch, from: number, count: number, builder: ChunkBuilder): number => {
          let bytes = 0;
          for (const field of leaves)
            bytes += field.column(batch.columns.get(field.name), from, count, builder);
          return bytes;
        }
      : undefined;
  return {
    ...(fillColumns === undefined ? {} : { fillColumns }),
    columns,
    tableSql: columns.map((column) => `${ident(column.name)} ${column.type.sql}`).join(', '),
    selectSql: top.map((field) => `${field.sql} AS ${ident(field.name)}`).join(', '),
    fill(row, builder) {
      const at = builder.rows;
      let bytes = 0;
      for (const field of top) bytes += field.fill(row[field.name], builder, at);
      return bytes;
    },
  };
}
