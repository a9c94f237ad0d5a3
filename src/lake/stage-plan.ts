/**
 * How a dataset schema is staged for writing: one staging-table column per leaf field, of the field's own
 * engine type (BIGINT, DECIMAL(p,s), TIMESTAMPTZ, DATE, …), plus one null flag per object field. Rows are
 * checked value by value (input-values.ts) and written into a data chunk's typed buffers (chunk-builder.ts),
 * so no value is formatted as text for the engine to parse again; the file is then written by a SELECT that
 * packs objects back into STRUCTs, so the Parquet file has the dataset's real types (layout.ts `sqlType`).
 */
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
}

/** Writes one checked, non-null value into column `index` of the builder's current row; returns its bytes. */
type Put = (builder: ChunkBuilder, index: number, value: unknown, at: string) => number;

const text: Put = (b, i, v) => {
  const value = toText(v);
  b.setText(i, value);
  return value.length;
};
const blob: Put = (b, i, v, at) => {
  const value = toBytes(v, at);
  b.setBlob(i, value);
  return value.length;
};
const boolean: Put = (b, i, v, at) => {
  b.setBoolean(i, toBoolean(v, at));
  return 1;
};
const integer: Put = (b, i, v, at) => {
  b.setNumber(i, toInteger(v, at));
  return 4;
};
const double: Put = (b, i, v, at) => {
  b.setNumber(i, toDouble(v, at));
  return 8;
};
// The canonical texts connectors produce take a fast path; anything else is checked in full.
const long: Put = (b, i, v, at) => {
  b.setInteger(i, (typeof v === 'string' ? fastLong(v) : undefined) ?? longOf(toLongText(v, at)));
  return 8;
};
const date: Put = (b, i, v, at) => {
  b.setNumber(i, (typeof v === 'string' ? fastDays(v) : undefined) ?? daysOf(toDateText(v, at)));
  return 4;
};
const dateTime: Put = (b, i, v, at) => {
  b.setInteger(i, (typeof v === 'string' ? fastMicros(v) : undefined) ?? microsOf(toDateTimeText(v, at)));
  return 8;
};

type Fill = (value: unknown, builder: ChunkBuilder) => number;

export function planStage(schema: DatasetSchema): StagePlan {
  const columns: StageColumn[] = [];
  const add = (type: StagedType, size: number): { index: number; ref: string } => {
    const index = columns.length;
    const name = `c${index}`;
    columns.push({ name, type, size });
    return { index, ref: ident(name) };
  };

  /** Returns the SQL expression of a field and the filler of its staged columns. */
  const plan = (field: DatasetField, path: string): { sql: string; fill: Fill } => {
    const leaf = (type: StagedType, size: number, put: Put) => {
      const { index, ref } = add(type, size);
      return {
        sql: ref,
        fill: (value: unknown, builder: ChunkBuilder): number => {
          if (value === null || value === undefined) {
            builder.setNull(index);
            return 1;
          }
          return put(builder, index, value, path);
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
        return leaf(decimalType(precision, scale), 16, (b, i, v, at) => {
          b.setInteger(
            i,
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
          fill: (value, builder) => {
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
            builder.setBoolean(isNull.index, absent);
            const source = (absent ? {} : value) as Record<string, unknown>;
            let bytes = 1;
            for (const member of members) bytes += member.fill(source[member.name], builder);
            return bytes;
          },
        };
      }
    }
  };

  const top = schema.fields.map((field) => ({ name: field.name, ...plan(field, field.name) }));
  return {
    columns,
    tableSql: columns.map((column) => `${ident(column.name)} ${column.type.sql}`).join(', '),
    selectSql: top.map((field) => `${field.sql} AS ${ident(field.name)}`).join(', '),
    fill(row, builder) {
      let bytes = 0;
      for (const field of top) bytes += field.fill(row[field.name], builder);
      return bytes;
    },
  };
}
