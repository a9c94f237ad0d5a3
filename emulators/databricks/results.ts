/**
 * Result sets as the driver reads them: a TTableSchema plus column-based TRowSets. Streaming
 * sources pull DuckDB chunks (2,048 rows) on demand, so at most one chunk plus one fetch page is
 * held in memory whatever the size of the result.
 */
import {
  DuckDBBlobValue,
  DuckDBListValue,
  DuckDBArrayValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBDecimalValue,
  DuckDBDateValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBConnection,
  type DuckDBDataChunk,
  type DuckDBResult,
  type DuckDBValue,
} from '@duckdb/node-api';
import Int64 from 'node-int64';
import T from '@databricks/sql/thrift/TCLIService_types.js';
import { thriftColumnType, sparkTypeName, type ThriftColumnType } from './spark-types.ts';

export interface ResultColumn {
  name: string;
  type: ThriftColumnType;
  /** Spark type name, e.g. decimal(38,9). */
  typeName: string;
}

export interface RowPage {
  rowCount: number;
  /**
   * One array per column of wire-ready values; null marks SQL NULL. Timestamps, dates and decimals (string
   * wire kind) may stay DuckDB values (`exactValue`): the Arrow encoder takes their micros, days and unscaled
   * digits as they are, and the column-based TRowSet prints them with `String()` as it prints any other.
   */
  columns: unknown[][];
}

/** DuckDB values the Arrow path reads without going through their text (see RowPage). */
type ExactValue = DuckDBTimestampValue | DuckDBTimestampTZValue | DuckDBDateValue | DuckDBDecimalValue;

const exactValue = (value: DuckDBValue): value is ExactValue =>
  value instanceof DuckDBTimestampValue ||
  value instanceof DuckDBTimestampTZValue ||
  value instanceof DuckDBDateValue ||
  value instanceof DuckDBDecimalValue;

export interface ResultSource {
  readonly columns: ResultColumn[];
  /** Up to `max` more rows; rowCount 0 once exhausted. */
  next(max: number): Promise<RowPage>;
  close(): void;
}

/** Nested values as the JSON text Spark prints for arrays, maps and structs. Bigints stay exact. */
function jsonText(value: DuckDBValue): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) {
    return `[${value.items.map(jsonText).join(',')}]`;
  }
  if (value instanceof DuckDBMapValue) {
    return `{${value.entries.map((e) => `${JSON.stringify(String(e.key))}:${jsonText(e.value)}`).join(',')}}`;
  }
  if (value instanceof DuckDBStructValue) {
    return `{${Object.entries(value.entries)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`;
  }
  if (value instanceof DuckDBDecimalValue) return value.toString();
  return JSON.stringify(String(value));
}

/** Converts one DuckDB value to the JS value its wire kind carries. */
export function toWire(value: DuckDBValue, type: ThriftColumnType): unknown {
  if (value === null) return null;
  switch (type.wire) {
    case 'bool':
      return Boolean(value);
    case 'byte':
    case 'i16':
    case 'i32':
      return Number(value);
    case 'i64':
      return typeof value === 'bigint' ? value : BigInt(value as number);
    case 'double':
      return Number(value);
    case 'binary':
      return value instanceof DuckDBBlobValue ? Buffer.from(value.bytes) : Buffer.from(String(value));
    case 'json':
      return jsonText(value);
    case 'string':
      return typeof value === 'string' || exactValue(value) ? value : String(value);
  }
}

function int64(value: bigint): Int64 {
  const buffer = Buffer.allocUnsafe(8);
  buffer.writeBigInt64BE(BigInt.asIntN(64, value));
  return new Int64(buffer);
}

const placeholder: Record<ThriftColumnType['wire'], () => unknown> = {
  bool: () => false,
  byte: () => 0,
  i16: () => 0,
  i32: () => 0,
  i64: () => 0n,
  double: () => 0,
  string: () => '',
  json: () => '',
  binary: () => Buffer.alloc(0),
};

/** One TColumn: values plus an LSB-first null bitmap. */
function toTColumn(values: unknown[], type: ThriftColumnType): T.TColumn {
  const nulls = Buffer.alloc(Math.ceil(values.length / 8));
  const filled = values.map((v, i) => {
    if (v !== null && v !== undefined) return v;
    nulls[i >> 3] = (nulls[i >> 3] ?? 0) | (1 << (i & 7));
    return placeholder[type.wire]();
  });
  switch (type.wire) {
    case 'bool':
      return new T.TColumn({ boolVal: new T.TBoolColumn({ values: filled as boolean[], nulls }) });
    case 'byte':
      return new T.TColumn({ byteVal: new T.TByteColumn({ values: filled as number[], nulls }) });
    case 'i16':
      return new T.TColumn({ i16Val: new T.TI16Column({ values: filled as number[], nulls }) });
    case 'i32':
      return new T.TColumn({ i32Val: new T.TI32Column({ values: filled as number[], nulls }) });
    case 'i64':
      return new T.TColumn({ i64Val: new T.TI64Column({ values: (filled as bigint[]).map(int64), nulls }) });
    case 'double':
      return new T.TColumn({ doubleVal: new T.TDoubleColumn({ values: filled as number[], nulls }) });
    case 'binary':
      return new T.TColumn({ binaryVal: new T.TBinaryColumn({ values: filled as Buffer[], nulls }) });
    case 'string':
    case 'json':
      return new T.TColumn({
        stringVal: new T.TStringColumn({
          values: filled.map((v) => (typeof v === 'string' ? v : String(v))),
          nulls,
        }),
      });
  }
}

export function toRowSet(columns: ResultColumn[], page: RowPage, startRowOffset: number): T.TRowSet {
  return new T.TRowSet({
    startRowOffset: new Int64(startRowOffset),
    rows: [],
    columns: columns.map((c, i) => toTColumn(page.columns[i] ?? [], c.type)),
  });
}

export function toTableSchema(columns: ResultColumn[]): T.TTableSchema {
  return new T.TTableSchema({
    columns: columns.map((column, i) => {
      const { type } = column;
      const qualifiers =
        type.typeId === T.TTypeId.DECIMAL_TYPE
          ? new T.TTypeQualifiers({
              qualifiers: {
                precision: new T.TTypeQualifierValue({ i32Value: type.precision ?? 38 }),
                scale: new T.TTypeQualifierValue({ i32Value: type.scale ?? 0 }),
              },
            })
          : undefined;
      const primitiveEntry = new T.TPrimitiveTypeEntry({
        type: type.typeId,
        ...(qualifiers ? { typeQualifiers: qualifiers } : {}),
      });
      return new T.TColumnDesc({
        columnName: column.name,
        position: i + 1,
        comment: column.typeName,
        typeDesc: new T.TTypeDesc({ types: [new T.TTypeEntry({ primitiveEntry })] }),
      });
    }),
  });
}

/** Streams a DuckDB result chunk by chunk. */
export class DuckResultSource implements ResultSource {
  readonly columns: ResultColumn[];
  private readonly result: DuckDBResult;
  private readonly connection: DuckDBConnection;
  private chunk: DuckDBDataChunk | null = null;
  private chunkOffset = 0;
  private done = false;

  constructor(result: DuckDBResult, connection: DuckDBConnection) {
    this.result = result;
    this.connection = connection;
    this.columns = result.columnTypes().map((type, i) => ({
      name: result.columnName(i),
      type: thriftColumnType(type),
      typeName: sparkTypeName(type),
    }));
  }

  async next(max: number): Promise<RowPage> {
    const out: unknown[][] = this.columns.map(() => []);
    let rowCount = 0;
    while (rowCount < max && !this.done) {
      if (this.chunk === null || this.chunkOffset >= this.chunk.rowCount) {
        this.chunk = await this.result.fetchChunk();
        this.chunkOffset = 0;
        if (this.chunk === null || this.chunk.rowCount === 0) {
          this.done = true;
          break;
        }
      }
      const take = Math.min(max - rowCount, this.chunk.rowCount - this.chunkOffset);
      for (let c = 0; c < this.columns.length; c++) {
        const type = this.columns[c]!.type;
        const values = this.chunk.getColumnValues(c);
        const target = out[c]!;
        for (let r = this.chunkOffset; r < this.chunkOffset + take; r++)
          target.push(toWire(values[r] ?? null, type));
      }
      this.chunkOffset += take;
      rowCount += take;
    }
    return { rowCount, columns: out };
  }

  close(): void {
    this.done = true;
    this.chunk = null;
    try {
      this.connection.closeSync();
    } catch {
      // already closed: closing is idempotent for callers
    }
  }
}

/** A small result computed in JS (metadata calls, SHOW, DESCRIBE). */
export class StaticResultSource implements ResultSource {
  readonly columns: ResultColumn[];
  private readonly rows: unknown[][];
  private offset = 0;

  constructor(columns: ResultColumn[], rows: unknown[][]) {
    this.columns = columns;
    this.rows = rows;
  }

  next(max: number): Promise<RowPage> {
    const slice = this.rows.slice(this.offset, this.offset + max);
    this.offset += slice.length;
    return Promise.resolve({
      rowCount: slice.length,
      columns: this.columns.map((_, c) => slice.map((row) => row[c] ?? null)),
    });
  }

  close(): void {
    this.offset = this.rows.length;
  }
}

const staticTypes = {
  string: { typeId: T.TTypeId.STRING_TYPE, wire: 'string' },
  int: { typeId: T.TTypeId.INT_TYPE, wire: 'i32' },
  smallint: { typeId: T.TTypeId.SMALLINT_TYPE, wire: 'i16' },
  boolean: { typeId: T.TTypeId.BOOLEAN_TYPE, wire: 'bool' },
} satisfies Record<string, ThriftColumnType>;

/** Declares a static column: `col('TABLE_CAT')`, `col('DATA_TYPE', 'int')`. */
export function col(name: string, kind: keyof typeof staticTypes = 'string'): ResultColumn {
  return { name, type: staticTypes[kind], typeName: kind };
}
