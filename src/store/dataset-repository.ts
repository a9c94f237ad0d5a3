/**
 * Datasets and their batches. Reads are tenant-scoped and never return a soft-deleted dataset (nor, via
 * its dataset, its batches). The batch commit is the one write that makes lake files visible:
 * `commitBatch` moves a batch from `loading` to `success` with its files in a single UPDATE, and takes
 * the caller's transaction so the caller can commit other state (a flow's cursor) atomically with it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Batch, BatchError, BatchFile, Dataset } from '../domain/dataset.ts';
import type { Tenant } from '../domain/tenancy.ts';
import { fromJson } from './dialect.ts';
import type { BatchesTable, Database } from './schema.ts';

export type DatasetOrderField = 'created' | 'updated' | 'name';

export interface DatasetListOptions {
  readonly orderBy: { readonly field: DatasetOrderField; readonly direction: 'asc' | 'desc' };
  readonly start: number;
  readonly limit: number;
  /** Exact-name filter. */
  readonly name?: string;
}

export interface BatchCommit {
  readonly files: readonly BatchFile[];
  readonly records: number;
  readonly bytes: number;
  readonly completed: number;
}

export interface DatasetRepository {
  /** Throws the store's unique violation when a live dataset of the tenant has the name. */
  insertDataset(dataset: Dataset): Promise<void>;
  getDataset(tenant: Tenant, id: string): Promise<Dataset | undefined>;
  findDatasetByName(tenant: Tenant, name: string): Promise<Dataset | undefined>;
  listDatasets(tenant: Tenant, options: DatasetListOptions): Promise<Dataset[]>;
  /** Soft delete: false when no live dataset has the id in the tenant. */
  softDeleteDataset(tenant: Tenant, id: string, now: number): Promise<boolean>;

  insertBatch(batch: Batch): Promise<void>;
  getBatch(tenant: Tenant, id: string): Promise<Batch | undefined>;
  listBatches(tenant: Tenant, datasetId: string, options: { start: number; limit: number }): Promise<Batch[]>;
  /**
   * loading → success with the written files, in `trx` when given. Returns false (and changes nothing)
   * when the batch is not `loading` (already committed, failed or aborted) or does not exist.
   */
  commitBatch(batchId: string, commit: BatchCommit, trx?: Transaction<Database>): Promise<boolean>;
  /**
   * success → inactive, in `trx`: the batch a repair run re-landed (its files were damaged) into
   * `replacement`. Returns false (and changes nothing) when the batch is no longer `success` (another
   * repair replaced it first) or is not in the replacement's dataset.
   */
  retireBatch(
    batchId: string,
    replacement: { readonly datasetId: string; readonly batchId: string; readonly runId: string },
    now: number,
    trx: Transaction<Database>,
  ): Promise<boolean>;
  /** loading → failed | aborted; false when the batch is not loading. */
  endBatch(
    batchId: string,
    status: 'failed' | 'aborted',
    errors: readonly BatchError[],
    now: number,
  ): Promise<boolean>;
  /**
   * Ends, as aborted, the `loading` batches of `runId` (an earlier attempt that crashed or lost its
   * claim) and returns them, so their files can be removed; a stale writer can then not commit them.
   */
  abandonRunBatches(
    runId: string,
    errors: readonly BatchError[],
    now: number,
  ): Promise<{ datasetId: string; batchId: string }[]>;
  /** Files of the dataset's `success` batches, oldest batch first. */
  committedFiles(tenant: Tenant, datasetId: string): Promise<BatchFile[]>;
  /** Every `success` batch of a live dataset, any tenant, oldest first, with its dataset's name (lake verify). */
  committedBatches(): Promise<(Batch & { readonly datasetName: string })[]>;
  /** `datasetId/batchId` of every `success` batch of a live dataset, any tenant (for lake GC). */
  committedBatchKeys(): Promise<Set<string>>;
  /**
   * Ids of loading batches whose run is still active (scheduled or in progress, maybe in another process):
   * their files must be kept. Loading batches of ended runs, or of no run, are leftovers of a crash.
   */
  loadingBatchIds(): Promise<Set<string>>;
  transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
}

const DATASET_COLUMN = { created: 'created_at', updated: 'updated_at', name: 'name' } as const;

const toNumber = (value: unknown): number => (typeof value === 'number' ? value : Number(value));
const toNullableNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : toNumber(value);

function batchFromRow(row: BatchesTable): Batch {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    imsOrg: row.org_id,
    sandboxId: row.sandbox_id,
    status: row.status as Batch['status'],
    records: toNumber(row.records),
    bytes: toNumber(row.bytes),
    files: fromJson(row.files) as BatchFile[],
    created: toNumber(row.created_at),
    started: toNullableNumber(row.started_at),
    completed: toNullableNumber(row.completed_at),
    updated: toNumber(row.updated_at),
    errors: fromJson(row.errors) as BatchError[],
    flowId: row.flow_id,
    runId: row.run_id,
  };
}

export function createDatasetRepository(db: Kysely<Database>): DatasetRepository {
  const liveDatasets = (tenant: Tenant) =>
    db
      .selectFrom('datasets')
      .where('org_id', '=', tenant.orgId)
      .where('sandbox_id', '=', tenant.sandboxId)
      .where('deleted_at', 'is', null);

  const tenantBatches = (tenant: Tenant) =>
    db
      .selectFrom('batches')
      .innerJoin('datasets', 'datasets.id', 'batches.dataset_id')
      .selectAll('batches')
      .where('batches.org_id', '=', tenant.orgId)
      .where('batches.sandbox_id', '=', tenant.sandboxId)
      .where('datasets.deleted_at', 'is', null);

  return {
    async insertDataset(dataset) {
      await db
        .insertInto('datasets')
        .values({
          id: dataset.id,
          org_id: dataset.imsOrg,
          sandbox_id: dataset.sandboxId,
          name: dataset.name,
          description: dataset.description ?? null,
          schema: JSON.stringify(dataset.schema),
          schema_ref: dataset.schemaRef === undefined ? null : JSON.stringify(dataset.schemaRef),
          tags: JSON.stringify(dataset.tags),
          state: dataset.state,
          created_at: dataset.created,
          updated_at: dataset.updated,
          deleted_at: dataset.deletedAt,
          body: JSON.stringify(dataset),
        })
        .execute();
    },

    async getDataset(tenant, id) {
      const row = await liveDatasets(tenant).select('body').where('id', '=', id).executeTakeFirst();
      return row ? (JSON.parse(row.body) as Dataset) : undefined;
    },

    async findDatasetByName(tenant, name) {
      const row = await liveDatasets(tenant).select('body').where('name', '=', name).executeTakeFirst();
      return row ? (JSON.parse(row.body) as Dataset) : undefined;
    },

    async listDatasets(tenant, options) {
      const column = DATASET_COLUMN[options.orderBy.field];
      let query = liveDatasets(tenant).select('body');
      if (options.name !== undefined) query = query.where('name', '=', options.name);
      const rows = await query
        .orderBy(column, options.orderBy.direction)
        .orderBy('id', options.orderBy.direction)
        .limit(options.limit)
        .offset(options.start)
        .execute();
      return rows.map((row) => JSON.parse(row.body) as Dataset);
    },

    async softDeleteDataset(tenant, id, now) {
      const row = await liveDatasets(tenant).select('body').where('id', '=', id).executeTakeFirst();
      if (!row) return false;
      const current = JSON.parse(row.body) as Dataset;
      const result = await db
        .updateTable('datasets')
        .set({
          deleted_at: now,
          updated_at: now,
          body: JSON.stringify({ ...current, deletedAt: now, updated: now }),
        })
        .where('id', '=', id)
        .where('org_id', '=', tenant.orgId)
        .where('sandbox_id', '=', tenant.sandboxId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async insertBatch(batch) {
      await db
        .insertInto('batches')
        .values({
          id: batch.id,
          dataset_id: batch.datasetId,
          org_id: batch.imsOrg,
          sandbox_id: batch.sandboxId,
          status: batch.status,
          records: batch.records,
          bytes: batch.bytes,
          files: JSON.stringify(batch.files),
          created_at: batch.created,
          started_at: batch.started,
          completed_at: batch.completed,
          updated_at: batch.updated,
          errors: JSON.stringify(batch.errors),
          flow_id: batch.flowId,
          run_id: batch.runId,
        })
        .execute();
    },

    async getBatch(tenant, id) {
      const row = await tenantBatches(tenant).where('batches.id', '=', id).executeTakeFirst();
      return row ? batchFromRow(row) : undefined;
    },

    async listBatches(tenant, datasetId, options) {
      const rows = await tenantBatches(tenant)
        .where('batches.dataset_id', '=', datasetId)
        .orderBy('batches.id', 'desc')
        .limit(options.limit)
        .offset(options.start)
        .execute();
      return rows.map(batchFromRow);
    },

    async commitBatch(batchId, commit, trx) {
      const result = await (trx ?? db)
        .updateTable('batches')
        .set({
          status: 'success',
          files: JSON.stringify(commit.files),
          records: commit.records,
          bytes: commit.bytes,
          completed_at: commit.completed,
          updated_at: commit.completed,
        })
        .where('id', '=', batchId)
        .where('status', '=', 'loading')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async retireBatch(batchId, replacement, now, trx) {
      const errors: BatchError[] = [
        {
          code: 'LAKE-1101-500',
          message: `Its files were damaged; run ${replacement.runId} re-landed its rows from the source in batch ${replacement.batchId}.`,
        },
      ];
      const result = await trx
        .updateTable('batches')
        .set({ status: 'inactive', errors: JSON.stringify(errors), updated_at: now })
        .where('id', '=', batchId)
        .where('dataset_id', '=', replacement.datasetId)
        .where('status', '=', 'success')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async endBatch(batchId, status, errors, now) {
      const result = await db
        .updateTable('batches')
        .set({ status, errors: JSON.stringify(errors), completed_at: now, updated_at: now })
        .where('id', '=', batchId)
        .where('status', '=', 'loading')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async abandonRunBatches(runId, errors, now) {
      const loading = await db
        .selectFrom('batches')
        .select(['id', 'dataset_id'])
        .where('run_id', '=', runId)
        .where('status', '=', 'loading')
        .execute();
      const ended: { datasetId: string; batchId: string }[] = [];
      for (const row of loading) {
        const result = await db
          .updateTable('batches')
          .set({ status: 'aborted', errors: JSON.stringify(errors), completed_at: now, updated_at: now })
          .where('id', '=', row.id)
          .where('status', '=', 'loading')
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) ended.push({ datasetId: row.dataset_id, batchId: row.id });
      }
      return ended;
    },

    async committedFiles(tenant, datasetId) {
      const rows = await tenantBatches(tenant)
        .where('batches.dataset_id', '=', datasetId)
        .where('batches.status', '=', 'success')
        .orderBy('batches.id', 'asc')
        .execute();
      return rows.flatMap((row) => fromJson(row.files) as BatchFile[]);
    },

    async committedBatches() {
      const rows = await db
        .selectFrom('batches')
        .innerJoin('datasets', 'datasets.id', 'batches.dataset_id')
        .selectAll('batches')
        .select('datasets.name as dataset_name')
        .where('batches.status', '=', 'success')
        .where('datasets.deleted_at', 'is', null)
        .orderBy('batches.id', 'asc')
        .execute();
      return rows.map((row) => ({ ...batchFromRow(row), datasetName: row.dataset_name }));
    },

    async committedBatchKeys() {
      const rows = await db
        .selectFrom('batches')
        .innerJoin('datasets', 'datasets.id', 'batches.dataset_id')
        .select(['batches.id', 'batches.dataset_id'])
        .where('batches.status', '=', 'success')
        .where('datasets.deleted_at', 'is', null)
        .execute();
      return new Set(rows.map((row) => `${row.dataset_id}/${row.id}`));
    },

    async loadingBatchIds() {
      const rows = await db
        .selectFrom('batches')
        .innerJoin('runs', 'runs.id', 'batches.run_id')
        .select('batches.id')
        .where('batches.status', '=', 'loading')
        .where('runs.active', '=', 1)
        .execute();
      return new Set(rows.map((row) => row.id));
    },

    transaction: (work) => db.transaction().execute(work),
  };
}
