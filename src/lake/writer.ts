/**
 * Writes one batch of a dataset as Parquet files, staged until `finish()`.
 *
 * Guarantees:
 * - Rows are buffered in an engine table of the dataset's own column types, a data chunk (2,048 rows) at a
 *   time through the DuckDB Appender (chunk-builder.ts); when a file's row cap or its estimated byte cap is
 *   reached the buffer is written to the next `part-NNNNN.parquet` (zstd) in `_staging/<batchId>/` and
 *   dropped, so memory stays bounded by one file's worth of rows. A file's row groups hold at most
 *   `ROW_GROUP_ROWS` (20,480) rows: DuckDB's Parquet writer buffers a row group per thread before it writes
 *   it, so the COPY holds a fifth of a 100,000-row file rather than all of it.
 * - `appendColumns` writes a column batch exactly as `append` writes its rows: typed buffers of a field's
 *   own type are copied into the chunk, anything else is checked value by value; a value that does not fit
 *   refuses its row as in `append` (the rows before it stay).
 * - A row whose value does not fit its field is refused whole (`ValueError` naming the row and
 *   field) before any of its values reaches the buffer; earlier rows stay, and the writer stays usable.
 * - `finish()` moves the staging directory to `datasets/<datasetId>/<batchId>/` with one rename, so
 *   the batch directory either has all its files or does not exist. Each file's size and SHA-256 are in
 *   the result, for the batch's commit: readers check them before reading (integrity.ts). Readers still see nothing until
 *   the caller marks the batch `success` in the store (readers take file lists from the store only).
 * - `abort()` (also after a failed `finish()`) removes the staging directory; both are idempotent.
 * - Calls are serialised: an `append` issued before the previous one settled waits its turn.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { batchRows, type ColumnBatch } from '../domain/column-batch.ts';
import type { BatchFile, DatasetSchema } from '../domain/dataset.ts';
import { createChunkBuilder } from './chunk-builder.ts';
import { ValueError } from './input-values.ts';
import { sha256OfFile } from './integrity.ts';
import { batchPath, DATASETS, ident, literal, partName, STAGING } from './layout.ts';
import { planStage } from './stage-plan.ts';

/** Rows per Parquet row group (10 DuckDB vectors of 2,048): small enough that a file's COPY buffers little. */
export const ROW_GROUP_ROWS = 20_480;

export interface BatchWriterOptions {
  /** Rows per Parquet file (default 1,000,000). */
  readonly maxRowsPerFile?: number;
  /** Estimated uncompressed bytes buffered per file before it is written (default 128 MiB). */
  readonly maxBytesPerFile?: number;
}

export interface BatchWriteResult {
  readonly files: readonly BatchFile[];
  readonly records: number;
  readonly bytes: number;
}

export interface BatchWriter {
  readonly datasetId: string;
  readonly batchId: string;
  /** Rows accepted so far. */
  readonly records: number;
  append(rows: readonly Record<string, unknown>[]): Promise<void>;
  /**
   * The rows of a column batch (keyed by top-level field), as `append` would write `batchRows(batch)`:
   * typed columns of the fields' own types are copied a chunk at a time, without an object per row.
   */
  appendColumns(batch: ColumnBatch): Promise<void>;
  finish(): Promise<BatchWriteResult>;
  abort(): Promise<void>;
}

export interface WriterContext {
  readonly root: string;
  readonly connection: DuckDBConnection;
  /** Called once when the writer finished or aborted (releases the connection). */
  readonly release: () => void;
}

export async function openBatchWriter(
  ctx: WriterContext,
  datasetId: string,
  batchId: string,
  schema: DatasetSchema,
  options: BatchWriterOptions = {},
): Promise<BatchWriter> {
  const { root, connection } = ctx;
  const maxRows = options.maxRowsPerFile ?? 1_000_000;
  const maxBytes = options.maxBytesPerFile ?? 128 * 1024 * 1024;
  const staging = join(root, STAGING, batchId);
  const table = ident(`stage_${batchId}`);
  await mkdir(join(root, STAGING), { recursive: true });
  // Not recursive: an existing staging dir means this batch id is already being written.
  await mkdir(staging);

  const plan = planStage(schema);
  let appender: DuckDBAppender;
  const createTable = async (): Promise<DuckDBAppender> => {
    await connection.run(`CREATE TABLE ${table} (${plan.tableSql})`);
    return connection.createAppender(`stage_${batchId}`);
  };
  try {
    appender = await createTable();
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    ctx.release();
    throw error;
  }
  const builder = createChunkBuilder(
    plan.columns.map((column) => column.type),
    () => appender,
  );

  const parts: { name: string; records: number }[] = [];
  let state: 'open' | 'finished' | 'aborted' = 'open';
  let records = 0;
  let fileRows = 0;
  let fileBytes = 0;
  let tail: Promise<unknown> = Promise.resolve();

  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = tail.then(work);
    tail = next.catch(() => undefined);
    return next;
  };
  const assertOpen = (): void => {
    if (state !== 'open') throw new Error(`batch writer ${batchId} is ${state}`);
  };

  const flush = async (): Promise<void> => {
    if (fileRows === 0) return;
    builder.flush(appender);
    appender.closeSync();
    const name = partName(parts.length);
    await connection.run(
      `COPY (SELECT ${plan.selectSql} FROM ${table}) TO ${literal(join(staging, name))} (FORMAT PARQUET, COMPRESSION zstd, ROW_GROUP_SIZE ${String(ROW_GROUP_ROWS)})`,
    );
    parts.push({ name, records: fileRows });
    await connection.run(`DROP TABLE ${table}`);
    fileRows = 0;
    fileBytes = 0;
    appender = await createTable();
  };

  const appendRows = async (rows: readonly Record<string, unknown>[]): Promise<void> => {
    for (let index = 0; index < rows.length; index += 1) {
      let bytes: number;
      try {
        bytes = plan.fill(rows[index] ?? {}, builder);
      } catch (error) {
        builder.dropRows();
        if (error instanceof ValueError)
          throw new ValueError(error.field, `row ${records + 1}: ${error.message}`);
        throw error;
      }
      builder.endRow();
      records += 1;
      fileRows += 1;
      fileBytes += bytes;
      if (fileRows >= maxRows || fileBytes >= maxBytes) await flush();
    }
  };

  const cleanup = async (): Promise<void> => {
    try {
      appender.closeSync();
    } catch {
      // Already closed by a flush that failed half-way; the table drop below still frees the buffer.
    }
    await connection.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    ctx.release();
  };

  return {
    datasetId,
    batchId,
    get records() {
      return records;
    },

    append: (rows) =>
      serial(async () => {
        assertOpen();
        await appendRows(rows);
      }),

    appendColumns: (batch) =>
      serial(async () => {
        assertOpen();
        const { fillColumns } = plan;
        if (fillColumns === undefined) {
          await appendRows(batchRows(batch));
          return;
        }
        let from = 0;
        while (from < batch.length) {
          const count = Math.min(batch.length - from, builder.capacity - builder.rows, maxRows - fileRows);
          let bytes: number;
          try {
            bytes = fillColumns(batch, from, count, builder);
          } catch (error) {
            if (!(error instanceof ValueError)) throw error;
            builder.dropRows();
            // Row by row from here: the rows before the one that does not fit stay, and the error names it.
            await appendRows(batchRows(batch).slice(from));
            return;
          }
          builder.endRows(count);
          records += count;
          fileRows += count;
          fileBytes += bytes;
          from += count;
          if (fileRows >= maxRows || fileBytes >= maxBytes) await flush();
        }
      }),

    finish: () =>
      serial(async () => {
        assertOpen();
        await flush();
        state = 'finished';
        await cleanup();
        const relative = batchPath(datasetId, batchId);
        const files: BatchFile[] = [];
        for (const part of parts) {
          const staged = join(staging, part.name);
          const { size } = await stat(staged);
          files.push({
            path: `${relative}/${part.name}`,
            records: part.records,
            bytes: size,
            sha256: await sha256OfFile(staged),
          });
        }
        await mkdir(join(root, DATASETS, datasetId), { recursive: true });
        // The one step that makes the files exist at their final path: a rename of the whole directory.
        await rename(staging, join(root, ...relative.split('/')));
        return { files, records, bytes: files.reduce((sum, file) => sum + file.bytes, 0) };
      }),

    abort: () =>
      serial(async () => {
        if (state === 'aborted') return;
        const wasOpen = state === 'open';
        state = 'aborted';
        if (wasOpen) await cleanup();
        await rm(staging, { recursive: true, force: true });
      }),
  };
}
