/**
 * The data lake: Parquet files of dataset batches under one directory, written and read with DuckDB.
 * The lake knows files only; which batches are committed is the store's business, so every read takes
 * the file list from the caller (who takes it from `success` batches) and never lists directories.
 * See docs/lake.md for the layout and the commit protocol.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { BatchFile, DatasetSchema } from '../domain/dataset.ts';
import { createIntegrityChecker, damageError, type FileCheck } from './integrity.ts';
import { assertIds, batchPath, DATASETS, literal, resolveFile, sideFilePath, STAGING } from './layout.ts';
import { runQuery, type QueryDataset, type QueryOptions, type QueryResult } from './query.ts';
import { fromDuck, type LakeRow } from './output-values.ts';
import { openBatchWriter, type BatchWriter, type BatchWriterOptions } from './writer.ts';

export interface Lake {
  /** The absolute lake directory. */
  readonly dir: string;
  /** Starts a batch; fails if a writer for this batch id already exists (its staging dir is present). */
  createBatchWriter(
    datasetId: string,
    batchId: string,
    schema: DatasetSchema,
    options?: BatchWriterOptions,
  ): Promise<BatchWriter>;
  /**
   * Writes `content` to a file beside the batch's data (readable only by this user, 0600) and returns
   * its relative path; it is removed with the batch's files.
   */
  writeSideFile(datasetId: string, batchId: string, name: string, content: string): Promise<string>;
  /** Removes every file of a batch: its staging dir and its dir under datasets/. Idempotent. */
  removeBatch(datasetId: string, batchId: string): Promise<void>;
  /**
   * Checks committed files against the size and SHA-256 their batch recorded (integrity.ts): sizes on
   * every call, digests on a file's first check in this process or after it changed; `full` hashes all.
   */
  verify(files: readonly BatchFile[], options?: { full?: boolean }): Promise<FileCheck[]>;
  /** Throws LAKE-1101-500 naming the first damaged file; call it before reading files. */
  assertIntact(files: readonly BatchFile[]): Promise<void>;
  /** Rows of the given files, in file order then row order. */
  read(files: readonly string[], options?: { limit?: number; offset?: number }): Promise<LakeRow[]>;
  /** Read-only SQL where `dataset('<name or id>')` names a key of `datasets` (see query.ts). */
  query(
    sql: string,
    datasets: ReadonlyMap<string, QueryDataset>,
    options?: QueryOptions,
  ): Promise<QueryResult>;
  /**
   * Removes every staging dir not being written by this lake, and every batch dir for which
   * `committed(datasetId, batchId)` is false. Run it when no other process writes to the lake
   * (at start): a batch renamed into place but not yet committed by another process would be removed.
   */
  /**
   * Removes the files of batches `keep` rejects. Staging folders are asked with datasetId undefined.
   * Batches another process may still be writing must be kept (the caller knows them from the store).
   */
  garbageCollect(
    keep: (datasetId: string | undefined, batchId: string) => boolean,
  ): Promise<{ removed: string[] }>;
  close(): Promise<void>;
}

export interface LakeEngineOptions {
  /** DuckDB's worker threads (default: the machine's cores). */
  readonly threads?: number;
  /** DuckDB's memory limit, e.g. `512MB` (default: 80% of the machine's memory). */
  readonly memoryLimit?: string;
}

/**
 * The writing engine's DuckDB settings. Besides threads and memory limit: DuckDB keeps freed memory in its
 * allocator until a task's peak allocation passes `allocator_flush_threshold` (128 MiB) or a single bulk
 * free passes `allocator_bulk_deallocation_flush_threshold` (512 MiB). A file's staging table (≈ 50–100 MB
 * for 100,000 rows) is below both, so a runner kept one file's memory while it staged the next. At 8 MiB
 * the memory goes back to the system after the file's COPY and its table's DROP: a 200,000-row ATS flow's
 * peak RSS 344 → 295–305 MB in the same probe, CPU unchanged (docs/benchmarks.md, ingest run 5).
 */
export function lakeEngineConfig(options: LakeEngineOptions = {}): Record<string, string> {
  return {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allocator_flush_threshold: '8MiB',
    allocator_bulk_deallocation_flush_threshold: '8MiB',
    ...(options.threads === undefined ? {} : { threads: String(options.threads) }),
    ...(options.memoryLimit === undefined ? {} : { memory_limit: options.memoryLimit }),
  };
}

export async function openLake(dir: string, options: LakeEngineOptions = {}): Promise<Lake> {
  const instance = await DuckDBInstance.create(':memory:', lakeEngineConfig(options));
  const writing = new Set<string>();
  const integrity = createIntegrityChecker(dir);
  let closed = false;

  const connect = async () => {
    if (closed) throw new Error('the lake is closed');
    return instance.connect();
  };

  return {
    dir,

    async createBatchWriter(datasetId, batchId, schema, writerOptions) {
      assertIds(datasetId, batchId);
      if (writing.has(batchId)) throw new Error(`batch ${batchId} is already being written`);
      const connection = await connect();
      writing.add(batchId);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        writing.delete(batchId);
        connection.closeSync();
      };
      try {
        return await openBatchWriter(
          { root: dir, connection, release },
          datasetId,
          batchId,
          schema,
          writerOptions,
        );
      } catch (error) {
        release();
        throw error;
      }
    },

    async writeSideFile(datasetId, batchId, name, content) {
      const relative = sideFilePath(datasetId, batchId, name);
      await mkdir(join(dir, ...batchPath(datasetId, batchId).split('/')), { recursive: true });
      await writeFile(join(dir, ...relative.split('/')), content, { mode: 0o600 });
      return relative;
    },

    async removeBatch(datasetId, batchId) {
      assertIds(datasetId, batchId);
      if (writing.has(batchId)) throw new Error(`batch ${batchId} is being written by this process`);
      await rm(join(dir, STAGING, batchId), { recursive: true, force: true });
      await rm(join(dir, ...batchPath(datasetId, batchId).split('/')), { recursive: true, force: true });
    },

    verify: (files, verifyOptions) => integrity.check(files, verifyOptions),

    async assertIntact(files) {
      const damaged = (await integrity.check(files)).find((check) => check.problem !== undefined);
      if (damaged !== undefined) throw damageError(damaged);
    },

    async read(files, readOptions = {}) {
      if (files.length === 0) return [];
      const paths = files.map((file) => resolveFile(dir, file));
      const limit = Math.max(0, Math.floor(readOptions.limit ?? 1000));
      const offset = Math.max(0, Math.floor(readOptions.offset ?? 0));
      const connection = await connect();
      try {
        const reader = await connection.runAndReadAll(
          `SELECT * FROM read_parquet([${paths.map(literal).join(', ')}]) LIMIT ${limit} OFFSET ${offset}`,
        );
        return reader.getRowObjects().map((row) => {
          const out: LakeRow = {};
          for (const [key, value] of Object.entries(row)) out[key] = fromDuck(value);
          return out;
        });
      } finally {
        connection.closeSync();
      }
    },

    query: (sql, datasets, queryOptions) => runQuery(dir, sql, datasets, queryOptions),

    async garbageCollect(keep) {
      const removed: string[] = [];
      for (const batchId of await list(join(dir, STAGING))) {
        if (writing.has(batchId) || keep(undefined, batchId)) continue;
        await rm(join(dir, STAGING, batchId), { recursive: true, force: true });
        removed.push(`${STAGING}/${batchId}`);
      }
      for (const datasetId of await list(join(dir, DATASETS))) {
        const batches = await list(join(dir, DATASETS, datasetId));
        let kept = 0;
        for (const batchId of batches) {
          if (writing.has(batchId) || keep(datasetId, batchId)) {
            kept += 1;
            continue;
          }
          await rm(join(dir, DATASETS, datasetId, batchId), { recursive: true, force: true });
          removed.push(`${DATASETS}/${datasetId}/${batchId}`);
        }
        if (kept === 0) await rm(join(dir, DATASETS, datasetId), { recursive: true, force: true });
      }
      return { removed };
    },

    close() {
      if (!closed) {
        closed = true;
        instance.closeSync();
      }
      return Promise.resolve();
    },
  };
}

async function list(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw error;
  }
}
