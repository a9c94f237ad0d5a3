/**
 * How a dataset schema is staged for writing. The writer appends only flat primitives (VARCHAR,
 * BOOLEAN, INTEGER, DOUBLE, BLOB) to a staging table, one column per leaf field plus one null flag per
 * object field, because the Appender's typed value objects (timestamps, decimals, structs) cost 5-50 µs
 * each while primitives cost well under one. The file is then written by a SELECT that casts the
 * checked text to the field's type and packs objects back into STRUCTs, so the Parquet file has the
 * dataset's real types (layout.ts `sqlType`).
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import type { DatasetField, DatasetSchema } from '../domain/dataset.ts';
import {
  toBoolean,
  toBytes,
  toDateText,
  toDateTimeText,
  toDecimalText,
  toDouble,
  toInteger,
  toLongText,
  toText,
  ValueError,
} from './input-values.ts';
import { ident, sqlType } from './layout.ts';

type Put = (appender: DuckDBAppender, value: unknown) => void;

export interface StageColumn {
  readonly name: string;
  readonly sqlType: 'VARCHAR' | 'BOOLEAN' | 'INTEGER' | 'DOUBLE' | 'BLOB';
  readonly put: Put;
  /** Fixed bytes per value, or 0 when the value's length counts. */
  readonly size: number;
}

export interface StagePlan {
  readonly columns: readonly StageColumn[];
  /** Column definitions of the staging table. */
  readonly tableSql: string;
  /** The select list that turns staged columns into the dataset's columns. */
  readonly selectSql: string;
  /** Checks `row` and writes its staged values into `out` (null = SQL NULL); throws ValueError. */
  fill(row: Readonly<Record<string, unknown>>, out: unknown[]): void;
}

const putText: Put = (a, v) => {
  a.appendVarchar(v as string);
};
const putBoolean: Put = (a, v) => {
  a.appendBoolean(v as boolean);
};
const putInteger: Put = (a, v) => {
  a.appendInteger(v as number);
};
const putDouble: Put = (a, v) => {
  a.appendDouble(v as number);
};
const putBlob: Put = (a, v) => {
  a.appendBlob(v as Uint8Array);
};

type Fill = (value: unknown, out: unknown[]) => void;

export function planStage(schema: DatasetSchema): StagePlan {
  const columns: StageColumn[] = [];
  const add = (
    sqlTypeName: StageColumn['sqlType'],
    put: Put,
    size: number,
  ): { index: number; ref: string } => {
    const index = columns.length;
    const name = `c${index}`;
    columns.push({ name, sqlType: sqlTypeName, put, size });
    return { index, ref: ident(name) };
  };

  /** Returns the SQL expression of a field and the filler of its staged columns. */
  const plan = (field: DatasetField, path: string): { sql: string; fill: Fill } => {
    const leaf = (
      sqlTypeName: StageColumn['sqlType'],
      put: Put,
      size: number,
      check: (value: unknown, at: string) => unknown,
      cast: boolean,
    ) => {
      const { index, ref } = add(sqlTypeName, put, size);
      return {
        sql: cast ? `CAST(${ref} AS ${sqlType(field)})` : ref,
        fill: (value: unknown, out: unknown[]) => {
          out[index] = value === null || value === undefined ? null : check(value, path);
        },
      };
    };
    switch (field.type) {
      case 'string':
        return leaf('VARCHAR', putText, 0, toText, false);
      case 'boolean':
        return leaf('BOOLEAN', putBoolean, 1, toBoolean, false);
      case 'integer':
        return leaf('INTEGER', putInteger, 4, toInteger, false);
      case 'double':
        return leaf('DOUBLE', putDouble, 8, toDouble, false);
      case 'binary':
        return leaf('BLOB', putBlob, 0, toBytes, false);
      case 'long':
        return leaf('VARCHAR', putText, 8, toLongText, true);
      case 'date':
        return leaf('VARCHAR', putText, 4, toDateText, true);
      case 'date-time':
        return leaf('VARCHAR', putText, 8, toDateTimeText, true);
      case 'decimal': {
        const precision = field.precision ?? 38;
        const scale = field.scale ?? 9;
        return leaf('VARCHAR', putText, 16, (value, at) => toDecimalText(value, at, precision, scale), true);
      }
      case 'object': {
        const isNull = add('BOOLEAN', putBoolean, 1);
        const members = (field.fields ?? []).map((member) => ({
          name: member.name,
          ...plan(member, `${path}.${member.name}`),
        }));
        const packed = `struct_pack(${members.map((member) => `${ident(member.name)} := ${member.sql}`).join(', ')})`;
        return {
          sql: `CASE WHEN ${isNull.ref} THEN NULL ELSE ${packed} END`,
          fill: (value, out) => {
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
            out[isNull.index] = absent;
            const source = (absent ? {} : value) as Record<string, unknown>;
            for (const member of members) member.fill(source[member.name], out);
          },
        };
      }
    }
  };

  const top = schema.fields.map((field) => ({ name: field.name, ...plan(field, field.name) }));
  return {
    columns,
    tableSql: columns.map((column) => `${ident(column.name)} ${column.sqlType}`).join(', '),
    selectSql: top.map((field) => `${field.sql} AS ${ident(field.name)}`).join(', '),
    fill(row, out) {
      for (const field of top) field.fill(row[field.name], out);
    },
  };
}
