/**
 * The staging table's rows, built a DuckDB data chunk at a time: one typed buffer per staged column, filled
 * value by value (`set*`) or column by column (`copy*`), and handed to the appender as one data chunk
 * (vector_size() rows, 2,048) with one memory copy per numeric column.
 *
 * Guarantees:
 * - the buffers have DuckDB's in-memory layout for the column's physical type (little-endian int16/32/64,
 *   128-bit integers as lower then upper 64 bits, doubles, one byte per boolean, a validity bitmap), so a
 *   chunk is written without any per-value call into DuckDB except for VARCHAR and BLOB cells;
 * - a row is either entirely in the chunk or not at all: `endRow` is the only way the row count grows;
 *   `dropRow` clears a half-filled row (the row path refuses a whole row when one value does not fit);
 * - `flush` appends the chunk and starts an empty one; it is a no-op without rows. A full chunk is
 *   appended to the `appender()` of the moment by `endRow` itself.
 */
import duckdb from '@duckdb/node-bindings';
import type { DuckDBAppender } from '@duckdb/node-api';
import { DuckDBDataChunk } from '@duckdb/node-api';

/** Physical storage of a staged column (what DuckDB keeps in a vector of its logical type). */
export type Physical = 'varchar' | 'blob' | 'boolean' | 'int16' | 'int32' | 'int64' | 'int128' | 'double';

export interface StagedType {
  /** The column's SQL type in the staging table (also its type in the Parquet file). */
  readonly sql: string;
  readonly physical: Physical;
  readonly logical: () => duckdb.LogicalType;
}

const BYTES: Record<Physical, number> = {
  varchar: 0,
  blob: 0,
  boolean: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  int128: 16,
  double: 8,
};

const TWO_32 = 4_294_967_296;

/** One staged column's buffer of a chunk. */
interface Buffer {
  readonly physical: Physical;
  readonly bytes: Uint8Array | undefined;
  readonly u32: Uint32Array | undefined;
  readonly i64: BigInt64Array | undefined;
  readonly f64: Float64Array | undefined;
  readonly i32: Int32Array | undefined;
  readonly i16: Int16Array | undefined;
  readonly cells: (string | Uint8Array | null)[] | undefined;
  readonly validity: Uint8Array;
  nulls: number;
}

export interface ChunkBuilder {
  /** Rows in the current chunk. */
  readonly rows: number;
  /** The row being filled: its index in the chunk. */
  readonly at: number;
  readonly capacity: number;
  setNull(column: number): void;
  setText(column: number, value: string): void;
  setBlob(column: number, value: Uint8Array): void;
  setBoolean(column: number, value: boolean): void;
  /** int16, int32 (INTEGER, DATE, small DECIMAL) or a double column. */
  setNumber(column: number, value: number): void;
  /** An int64 or int128 column (BIGINT, TIMESTAMPTZ micros, DECIMAL's unscaled value). */
  setInteger(column: number, value: number | bigint): void;
  /** The row is complete; the chunk is flushed when full. */
  endRow(): void;
  /** Forgets what was set for the current row. */
  dropRow(): void;
  /** Appends the chunk's rows (if any) to `appender` and starts an empty chunk. */
  flush(appender: DuckDBAppender): void;
}

export function createChunkBuilder(
  types: readonly StagedType[],
  appender: () => DuckDBAppender,
): ChunkBuilder {
  const capacity = duckdb.vector_size();
  const logical = types.map((type) => type.logical());
  const buffers: Buffer[] = types.map(({ physical }) => {
    const size = BYTES[physical];
    const bytes = size === 0 ? undefined : new Uint8Array(size * capacity);
    const view = <T>(make: (buffer: ArrayBuffer) => T, ...kinds: Physical[]): T | undefined =>
      bytes !== undefined && kinds.includes(physical) ? make(bytes.buffer) : undefined;
    return {
      physical,
      bytes,
      u32: view((b) => new Uint32Array(b), 'int64', 'int128'),
      i64: view((b) => new BigInt64Array(b), 'int64', 'int128'),
      f64: view((b) => new Float64Array(b), 'double'),
      i32: view((b) => new Int32Array(b), 'int32'),
      i16: view((b) => new Int16Array(b), 'int16'),
      cells: size === 0 ? new Array<string | Uint8Array | null>(capacity).fill(null) : undefined,
      validity: new Uint8Array(capacity / 8).fill(0xff),
      nulls: 0,
    };
  });
  let rows = 0;

  const valid = (buffer: Buffer, row: number): void => {
    buffer.validity[row >> 3] = (buffer.validity[row >> 3] ?? 0) | (1 << (row & 7));
  };

  const setWords = (buffer: Buffer, index: number, value: number): void => {
    // A safe integer as two's complement 32-bit words (no BigInt allocated).
    const high = Math.floor(value / TWO_32);
    const u32 = buffer.u32 as Uint32Array;
    u32[index] = value - high * TWO_32;
    u32[index + 1] = high >>> 0;
  };

  return {
    get rows() {
      return rows;
    },
    get at() {
      return rows;
    },
    capacity,
    setNull(column) {
      const buffer = buffers[column] as Buffer;
      buffer.validity[rows >> 3] = (buffer.validity[rows >> 3] ?? 0) & ~(1 << (rows & 7));
      buffer.nulls += 1;
      if (buffer.cells) buffer.cells[rows] = null;
    },
    setText(column, value) {
      const buffer = buffers[column] as Buffer;
      (buffer.cells as (string | null)[])[rows] = value;
      valid(buffer, rows);
    },
    setBlob(column, value) {
      const buffer = buffers[column] as Buffer;
      (buffer.cells as (Uint8Array | null)[])[rows] = value;
      valid(buffer, rows);
    },
    setBoolean(column, value) {
      const buffer = buffers[column] as Buffer;
      (buffer.bytes as Uint8Array)[rows] = value ? 1 : 0;
      valid(buffer, rows);
    },
    setNumber(column, value) {
      const buffer = buffers[column] as Buffer;
      if (buffer.f64) buffer.f64[rows] = value;
      else if (buffer.i32) buffer.i32[rows] = value;
      else (buffer.i16 as Int16Array)[rows] = value;
      valid(buffer, rows);
    },
    setInteger(column, value) {
      const buffer = buffers[column] as Buffer;
      if (buffer.i32 || buffer.i16) {
        this.setNumber(column, Number(value));
        return;
      }
      const wide = buffer.physical === 'int128';
      const index = wide ? rows * 4 : rows * 2;
      if (typeof value === 'number') {
        setWords(buffer, index, value);
        if (wide) {
          const sign = value < 0 ? 0xffffffff : 0;
          (buffer.u32 as Uint32Array)[index + 2] = sign;
          (buffer.u32 as Uint32Array)[index + 3] = sign;
        }
      } else if (wide) {
        const i64 = buffer.i64 as BigInt64Array;
        i64[rows * 2] = BigInt.asIntN(64, value);
        i64[rows * 2 + 1] = BigInt.asIntN(64, value >> 64n);
      } else {
        (buffer.i64 as BigInt64Array)[rows] = value;
      }
      valid(buffer, rows);
    },
    endRow() {
      rows += 1;
      if (rows === capacity) this.flush(appender());
    },
    dropRow() {
      for (const buffer of buffers) {
        if ((buffer.validity[rows >> 3] ?? 0) & (1 << (rows & 7))) continue;
        // The cell was set to null in this row: undo the count, keep the bit set for the next row.
        buffer.nulls -= 1;
        valid(buffer, rows);
      }
    },
    flush(target) {
      if (rows === 0) return;
      const chunk = duckdb.create_data_chunk(logical);
      buffers.forEach((buffer, column) => {
        const vector = duckdb.data_chunk_get_vector(chunk, column);
        if (buffer.bytes !== undefined) {
          duckdb.copy_data_to_vector(
            vector,
            0,
            buffer.bytes.buffer as ArrayBuffer,
            0,
            BYTES[buffer.physical] * rows,
          );
        } else {
          const cells = buffer.cells as (string | Uint8Array | null)[];
          for (let row = 0; row < rows; row += 1) {
            const cell = cells[row];
            if (typeof cell === 'string') duckdb.vector_assign_string_element(vector, row, cell);
            else if (cell instanceof Uint8Array) duckdb.vector_assign_string_element_len(vector, row, cell);
          }
          cells.fill(null, 0, rows);
        }
        if (buffer.nulls > 0) {
          duckdb.vector_ensure_validity_writable(vector);
          // DuckDB's validity mask is 64-bit words; copy whole words covering the rows.
          const words = Math.ceil(rows / 64) * 8;
          duckdb.copy_data_to_vector_validity(vector, 0, buffer.validity.buffer as ArrayBuffer, 0, words);
          buffer.validity.fill(0xff);
          buffer.nulls = 0;
        }
      });
      duckdb.data_chunk_set_size(chunk, rows);
      target.appendDataChunk(new DuckDBDataChunk(chunk));
      rows = 0;
    },
  };
}

const logicalOf = (type: duckdb.Type) => (): duckdb.LogicalType => duckdb.create_logical_type(type);

/** The staged type of each physical kind the writer uses, and DECIMAL(p,s) by its width. */
export const STAGED = {
  varchar: { sql: 'VARCHAR', physical: 'varchar', logical: logicalOf(duckdb.Type.VARCHAR) },
  blob: { sql: 'BLOB', physical: 'blob', logical: logicalOf(duckdb.Type.BLOB) },
  boolean: { sql: 'BOOLEAN', physical: 'boolean', logical: logicalOf(duckdb.Type.BOOLEAN) },
  integer: { sql: 'INTEGER', physical: 'int32', logical: logicalOf(duckdb.Type.INTEGER) },
  bigint: { sql: 'BIGINT', physical: 'int64', logical: logicalOf(duckdb.Type.BIGINT) },
  double: { sql: 'DOUBLE', physical: 'double', logical: logicalOf(duckdb.Type.DOUBLE) },
  date: { sql: 'DATE', physical: 'int32', logical: logicalOf(duckdb.Type.DATE) },
  timestamptz: { sql: 'TIMESTAMPTZ', physical: 'int64', logical: logicalOf(duckdb.Type.TIMESTAMP_TZ) },
} as const satisfies Record<string, StagedType>;

export function decimalType(precision: number, scale: number): StagedType {
  return {
    sql: `DECIMAL(${precision},${scale})`,
    physical: precision <= 4 ? 'int16' : precision <= 9 ? 'int32' : precision <= 18 ? 'int64' : 'int128',
    logical: () => duckdb.create_decimal_type(precision, scale),
  };
}
