/**
 * The staging table's rows, built a DuckDB data chunk at a time: one typed buffer per staged column, filled
 * value by value (`set*`) or a run of values at once (`copyValues`), row by row or column by column, and handed to the appender as one data chunk
 * (vector_size() rows, 2,048) with one memory copy per numeric column.
 *
 * Guarantees:
 * - the buffers have DuckDB's in-memory layout for the column's physical type (little-endian int16/32/64,
 *   128-bit integers as lower then upper 64 bits, doubles, one byte per boolean, a validity bitmap), so a
 *   chunk is written without any per-value call into DuckDB except for VARCHAR and BLOB cells;
 * - a row is either entirely in the chunk or not at all: `endRow`/`endRows` are the only ways the row count
 *   grows; `dropRows` clears what was set beyond it (a value that does not fit refuses its whole row);
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
  /** Rows in the current chunk (the index of the next row to fill). */
  readonly rows: number;
  readonly capacity: number;
  /**
   * The setters write cell `row` of a column: the row being filled (`rows`) or, column by column, any row
   * below `rows + count` of the rows `endRows(count)` is about to add.
   */
  setNull(column: number, row: number): void;
  setText(column: number, row: number, value: string): void;
  /** A BLOB cell, or a VARCHAR cell as its UTF-8 bytes (the caller checked they are valid UTF-8). */
  setBlob(column: number, row: number, value: Uint8Array): void;
  setBoolean(column: number, row: number, value: boolean): void;
  /** int16, int32 (INTEGER, DATE, small DECIMAL) or a double column. */
  setNumber(column: number, row: number, value: number): void;
  /** An int64 or int128 column (BIGINT, TIMESTAMPTZ micros, DECIMAL's unscaled value). */
  setInteger(column: number, row: number, value: number | bigint): void;
  /**
   * Copies `values` into rows `row .. row + values.length` of a column whose physical type has the same
   * width (int32/int16/double/int64, or int128 as four 32-bit words per value); cells stay valid.
   */
  copyValues(
    column: number,
    row: number,
    values: Int16Array | Int32Array | Float64Array | BigInt64Array | Uint32Array,
  ): void;
  /**
   * Copies 128-bit values (four little-endian 32-bit words each) into rows `row ..` of a DECIMAL column,
   * keeping the low words its width holds (the caller checked that every value fits its precision).
   */
  copyDecimals(column: number, row: number, words: Uint32Array): void;
  /** The row is complete; the chunk is flushed when full. */
  endRow(): void;
  /** `count` rows filled column by column are complete (they must fit the chunk); flushed when full. */
  endRows(count: number): void;
  /** Forgets what was set for the rows from `rows` on (a half-filled row, or rows filled column-wise). */
  dropRows(): void;
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

  const setNumber = (column: number, row: number, value: number): void => {
    const buffer = buffers[column] as Buffer;
    if (buffer.f64) buffer.f64[row] = value;
    else if (buffer.i32) buffer.i32[row] = value;
    else (buffer.i16 as Int16Array)[row] = value;
    valid(buffer, row);
  };

  return {
    get rows() {
      return rows;
    },
    capacity,
    setNull(column, row) {
      const buffer = buffers[column] as Buffer;
      const bit = 1 << (row & 7);
      const byte = buffer.validity[row >> 3] ?? 0;
      if ((byte & bit) === 0) return;
      buffer.validity[row >> 3] = byte & ~bit;
      buffer.nulls += 1;
      if (buffer.cells) buffer.cells[row] = null;
    },
    setText(column, row, value) {
      const buffer = buffers[column] as Buffer;
      (buffer.cells as (string | null)[])[row] = value;
      valid(buffer, row);
    },
    setBlob(column, row, value) {
      const buffer = buffers[column] as Buffer;
      (buffer.cells as (Uint8Array | null)[])[row] = value;
      valid(buffer, row);
    },
    setBoolean(column, row, value) {
      const buffer = buffers[column] as Buffer;
      (buffer.bytes as Uint8Array)[row] = value ? 1 : 0;
      valid(buffer, row);
    },
    setNumber,
    setInteger(column, row, value) {
      const buffer = buffers[column] as Buffer;
      if (buffer.i32 || buffer.i16) {
        setNumber(column, row, Number(value));
        return;
      }
      const wide = buffer.physical === 'int128';
      const index = wide ? row * 4 : row * 2;
      if (typeof value === 'number') {
        setWords(buffer, index, value);
        if (wide) {
          const sign = value < 0 ? 0xffffffff : 0;
          (buffer.u32 as Uint32Array)[index + 2] = sign;
          (buffer.u32 as Uint32Array)[index + 3] = sign;
        }
      } else if (wide) {
        const i64 = buffer.i64 as BigInt64Array;
        i64[row * 2] = BigInt.asIntN(64, value);
        i64[row * 2 + 1] = BigInt.asIntN(64, value >> 64n);
      } else {
        (buffer.i64 as BigInt64Array)[row] = value;
      }
      valid(buffer, row);
    },
    copyValues(column, row, values) {
      const buffer = buffers[column] as Buffer;
      const width = BYTES[buffer.physical];
      const count = values.byteLength / width;
      if (!Number.isInteger(count) || row + count > capacity || values.BYTES_PER_ELEMENT > width) {
        throw new Error(`copyValues: ${String(values.byteLength)} bytes do not fit column ${String(column)}`);
      }
      (buffer.bytes as Uint8Array).set(
        new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
        row * width,
      );
    },
    copyDecimals(column, row, words) {
      const buffer = buffers[column] as Buffer;
      const count = words.length / 4;
      if (row + count > capacity)
        throw new Error(`copyDecimals: ${String(count)} values do not fit the chunk`);
      if (buffer.physical === 'int128') {
        (buffer.u32 as Uint32Array).set(words, row * 4);
      } else if (buffer.physical === 'int64') {
        const u32 = buffer.u32 as Uint32Array;
        for (let i = 0; i < count; i += 1) {
          u32[(row + i) * 2] = words[i * 4] ?? 0;
          u32[(row + i) * 2 + 1] = words[i * 4 + 1] ?? 0;
        }
      } else {
        const target = buffer.i32 ?? (buffer.i16 as Int16Array);
        for (let i = 0; i < count; i += 1) target[row + i] = (words[i * 4] ?? 0) | 0;
      }
    },
    endRow() {
      rows += 1;
      if (rows === capacity) this.flush(appender());
    },
    endRows(count) {
      if (rows + count > capacity) throw new Error(`endRows: ${String(count)} rows do not fit the chunk`);
      rows += count;
      if (rows === capacity) this.flush(appender());
    },
    dropRows() {
      for (const buffer of buffers) {
        for (let row = rows; row < capacity; row += 1) {
          if ((buffer.validity[row >> 3] ?? 0) & (1 << (row & 7))) continue;
          // The cell was set to null: undo the count, keep the bit set for the next rows.
          buffer.nulls -= 1;
          valid(buffer, row);
        }
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
