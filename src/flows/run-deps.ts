/**
 * What executing a run needs, each part from the module that owns it — nothing here is a closure put
 * together by the composition root: the flow entities and run records from the store, the opened source
 * from SourceAccess, the pinned mapping version from the mapping repository, the target's schema from the
 * dataset repository, the batch lifecycle (lake files and batch rows) from the dataset service, and the
 * run queue that decides which worker holds which run.
 */
import type { Transaction } from 'kysely';
import type { Flow, SourceConnection, TargetConnection } from '../domain/flow-entities.ts';
import type { BatchError } from '../domain/dataset.ts';
import type { Logger } from '../domain/logger.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { BatchWriter, BatchWriterOptions, BatchWriteResult } from '../lake/index.ts';
import type { DatasetRepository } from '../store/dataset-repository.ts';
import type { EntityRepository } from '../store/entity-repository.ts';
import type { MappingRepository } from '../store/mapping-repository.ts';
import type { RunQueue } from '../store/queue/run-queue.ts';
import type { RunRepository } from '../store/run-repository.ts';
import type { Database } from '../store/schema.ts';
import type { ReadSlots } from './read-slots.ts';
import type { RetryPolicy } from './retry.ts';
import type { SourceAccess } from './source-access.ts';

/** Where a run's rows go: a dataset batch, invisible until committed in the run's transaction. */
export interface BatchSink {
  beginBatch(
    tenant: Tenant,
    datasetId: string,
    options: { flowId: string; runId: string; writer?: BatchWriterOptions },
  ): Promise<{ batch: { readonly id: string }; writer: BatchWriter }>;
  commitBatch(batchId: string, result: BatchWriteResult, trx: Transaction<Database>): Promise<void>;
  failBatch(writer: BatchWriter, status: 'failed' | 'aborted', error?: BatchError): Promise<void>;
  /** success → inactive in `trx`: the batch a repair run re-landed; false when it is no longer `success`. */
  retireBatch(
    batchId: string,
    replacement: { readonly datasetId: string; readonly batchId: string; readonly runId: string },
    trx: Transaction<Database>,
  ): Promise<boolean>;
  /** Removes a retired batch's files, after the commit that retired it. */
  removeRetired(datasetId: string, batchId: string): Promise<void>;
  /** Writes a file beside the batch's data (its row errors); returns its lake path. */
  writeBatchFile(datasetId: string, batchId: string, name: string, content: string): Promise<string>;
  /**
   * Ends, as aborted, the batches an earlier attempt of the run left loading, and removes their files
   * (staged or renamed into place); returns how many. Called by the worker that took the run over.
   */
  abandonRunBatches(runId: string): Promise<number>;
}

export interface RunSettings {
  /** Window ends stay this far behind "now", so rows being written at the source wait for the next run. */
  readonly safetyLagMs: number;
  /** Re-read zone before a window's start, for sources with row keys (de-duplicated by key). */
  readonly overlapMs: number;
  /** Rows per batch read from the source. */
  readonly readBatchSize: number;
  readonly retry: RetryPolicy;
  /** Row errors kept in memory for the row-errors file; beyond it they are only counted. */
  readonly maxRowErrors: number;
  /** Rows per Parquet file. */
  readonly fileMaxRows: number;
}

export interface RunDeps {
  readonly flows: EntityRepository<Flow>;
  readonly sourceConnections: EntityRepository<SourceConnection>;
  readonly targetConnections: EntityRepository<TargetConnection>;
  readonly sources: SourceAccess;
  readonly mappings: Pick<MappingRepository, 'get'>;
  readonly datasets: Pick<DatasetRepository, 'getDataset'>;
  readonly batches: BatchSink;
  readonly runs: RunRepository;
  readonly queue: RunQueue;
  readonly settings: RunSettings;
  /** The worker's read streams (SLUICE_RUN_READ_STREAMS), shared by all the runs it executes. */
  readonly readSlots: ReadSlots;
  readonly now: () => number;
  readonly log: Logger;
}
