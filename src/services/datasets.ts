/**
 * Datasets and batches (Adobe Catalog's dataSets and batches) over the store and the lake, for the API,
 * the CLI and the flow runner.
 *
 * The commit protocol (docs/lake.md): `beginBatch` records a `loading` batch and opens its lake writer;
 * the caller appends rows and calls `writer.finish()` (files renamed into place, still invisible); then
 * `commitBatch` turns the batch `success` in one store write, optionally inside the caller's
 * transaction. Only `success` batches of live datasets are read by `preview` and `query`, so a crash at
 * any step shows no partial data, and `collectGarbage` removes the files such a crash left.
 */
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import {
  DATASET_ID,
  type BatchFile,
  newBatchId,
  newDatasetId,
  type Batch,
  type BatchError,
  type Dataset,
  type DatasetSchema,
} from '../domain/dataset.ts';
import { AppError } from '../domain/errors.ts';
import { invalidDataset, parseDatasetInput, type DatasetInput } from './dataset-input.ts';
import type { Actor, Tenant } from '../domain/tenancy.ts';
import type {
  BatchWriter,
  BatchWriterOptions,
  BatchWriteResult,
  Lake,
  LakeRow,
  QueryDataset,
  QueryResult,
} from '../lake/index.ts';
import { datasetReferences } from '../lake/index.ts';
import type { DatasetListOptions, DatasetRepository } from '../store/dataset-repository.ts';
import { damagedFiles, verifyLake, type DamagedFile, type LakeVerification } from './lake-verification.ts';
import { isUniqueViolation } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';

export type { DamagedBatch, DamagedFile, LakeVerification } from './lake-verification.ts';

export interface QueryLimits {
  readonly maxRows: number;
  readonly timeoutMs: number;
}

export type { DatasetInput } from './dataset-input.ts';

export interface DatasetService {
  create(actor: Actor, input: DatasetInput): Promise<Dataset>;
  get(tenant: Tenant, id: string): Promise<Dataset>;
  /** The dataset, or undefined when the tenant has no live dataset with this id (no error). */
  readonly find: (tenant: Tenant, id: string) => Promise<Dataset | undefined>;
  /** The dataset's schema, or undefined when it does not exist. */
  readonly schemaOf: (tenant: Tenant, id: string) => Promise<DatasetSchema | undefined>;
  /** By id (24 hex) first, then by name. */
  resolve(tenant: Tenant, nameOrId: string): Promise<Dataset>;
  list(tenant: Tenant, options: DatasetListOptions): Promise<Dataset[]>;
  delete(tenant: Tenant, id: string): Promise<void>;
  listBatches(tenant: Tenant, datasetId: string, options: { start: number; limit: number }): Promise<Batch[]>;
  getBatch(tenant: Tenant, id: string): Promise<Batch>;
  /**
   * Rows of the dataset's committed batches, oldest batch first. Only the files the rows come from are
   * read, and each is checked against its recorded size and SHA-256 first (LAKE-1101-500 if damaged).
   */
  preview(tenant: Tenant, id: string, limit: number): Promise<{ dataset: Dataset; rows: LakeRow[] }>;
  /** Read-only SQL; every file of every dataset it names is checked first (LAKE-1101-500 if damaged). */
  query(tenant: Tenant, sql: string, limits?: Partial<QueryLimits>): Promise<QueryResult>;
  /** Hashes every committed file of every live dataset (all tenants) and reports each damaged batch. */
  verifyLake(): Promise<LakeVerification>;
  /** The batch's damaged files, each hashed in full now (empty when intact); FLOW-1439-404 if unknown. */
  damageOf(tenant: Tenant, batchId: string): Promise<{ batch: Batch; files: DamagedFile[] }>;

  beginBatch(
    tenant: Tenant,
    datasetId: string,
    options?: { flowId?: string; runId?: string; writer?: BatchWriterOptions },
  ): Promise<{ batch: Batch; writer: BatchWriter }>;
  /** loading → success with the writer's files; throws if the batch is no longer loading. */
  commitBatch(batchId: string, result: BatchWriteResult, trx?: Transaction<Database>): Promise<void>;
  /** Marks the batch failed (or aborted) and removes its files, staged or renamed; harmless if already ended. */
  failBatch(writer: BatchWriter, status: 'failed' | 'aborted', error?: BatchError): Promise<void>;
  /**
   * success → inactive in `trx` (a repair run's commit: the batch it re-landed); false when the batch is
   * no longer `success`. Its files stay until `removeRetired`, called once the transaction committed.
   */
  retireBatch(
    batchId: string,
    replacement: { readonly datasetId: string; readonly batchId: string; readonly runId: string },
    trx: Transaction<Database>,
  ): Promise<boolean>;
  /** Removes the files of a batch `retireBatch` made inactive (lake GC would at the next start). */
  removeRetired(datasetId: string, batchId: string): Promise<void>;
  /** Writes a file beside a loading batch's data (e.g. its row errors); removed with the batch if not committed. */
  writeBatchFile(datasetId: string, batchId: string, name: string, content: string): Promise<string>;
  /**
   * Ends, as aborted, the batches an earlier attempt of `runId` left loading (it crashed or lost its
   * claim) and removes their files; returns how many. The worker that takes a run over calls it.
   */
  abandonRunBatches(runId: string): Promise<number>;
  /** Removes lake files of batches that are not `success` or whose dataset is deleted. Run at start. */
  collectGarbage(): Promise<{ removed: string[] }>;
}

export interface DatasetServiceDeps {
  readonly repository: DatasetRepository;
  /**
   * The lake columns of a Schema Registry schema named by a `schemaRef.id` (`$id` or `meta:altId`);
   * undefined when the registry has no such schema. Without it, only `schema` bodies create datasets.
   */
  readonly resolveSchemaRef?: (tenant: Tenant, reference: string) => Promise<DatasetSchema | undefined>;
  readonly lake: Lake;
  readonly query: QueryLimits;
  /** Refuses deleting a dataset that flows write to (FLOW-1447, naming them). */
  readonly assertUnused?: (tenant: Tenant, datasetId: string) => Promise<void>;
  readonly now?: () => number;
}

const notFound = (type: 'dataSets' | 'batches', id: string): AppError =>
  new AppError(
    'FLOW-1439-404',
    `The requested ${type} resource ${id} is not found. Verify the ID before trying again.`,
    {
      id,
      type,
    },
  );

/** The committed files a preview of `limit` rows reads: in order, until they hold `limit` rows. */
function firstFilesFor(files: readonly BatchFile[], limit: number): BatchFile[] {
  const needed: BatchFile[] = [];
  let rows = 0;
  for (const file of files) {
    if (rows >= limit) break;
    needed.push(file);
    rows += file.records;
  }
  return needed;
}

export function createDatasetService(deps: DatasetServiceDeps): DatasetService {
  const { repository, lake } = deps;
  const now = deps.now ?? Date.now;

  const schemaOf = async (tenant: Tenant, reference: string): Promise<DatasetSchema> => {
    const schema = await deps.resolveSchemaRef?.(tenant, reference);
    if (schema === undefined) {
      throw new AppError(
        'CATALOG-1003-400',
        "schemaRef.id names no schema of this sandbox's Schema Registry; create it with POST /data/foundation/schemaregistry/tenant/schemas and send its $id (or meta:altId), or give Sluice's schema: { fields } instead.",
      );
    }
    if (schema.fields.length === 0) {
      throw invalidDataset(
        'The schema named by schemaRef.id has no fields, so a dataset of it would have no columns; add fields to a schema (inline in allOf) and use that one.',
      );
    }
    return schema;
  };

  const find = async (tenant: Tenant, id: string): Promise<Dataset | undefined> =>
    DATASET_ID.test(id) ? repository.getDataset(tenant, id) : undefined;

  const get = async (tenant: Tenant, id: string): Promise<Dataset> => {
    const dataset = DATASET_ID.test(id) ? await repository.getDataset(tenant, id) : undefined;
    if (!dataset) throw notFound('dataSets', id);
    return dataset;
  };

  const resolve = async (tenant: Tenant, nameOrId: string): Promise<Dataset> => {
    const dataset =
      (DATASET_ID.test(nameOrId) ? await repository.getDataset(tenant, nameOrId) : undefined) ??
      (await repository.findDatasetByName(tenant, nameOrId));
    if (!dataset) throw notFound('dataSets', nameOrId);
    return dataset;
  };

  return {
    async create(actor, input) {
      const { schema: given, ...fields } = parseDatasetInput(input);
      // Sluice's own `schema` wins (the schemaRef is then recorded as given); else the registry's.
      const schema = given ?? (await schemaOf(actor, fields.schemaRef?.id ?? ''));
      const taken = () =>
        new AppError('CATALOG-1002-409', `A dataset named '${fields.name}' already exists in this sandbox.`, {
          name: fields.name,
        });
      if (await repository.findDatasetByName(actor, fields.name)) throw taken();
      const at = now();
      const dataset: Dataset = {
        id: newDatasetId(randomBytes),
        imsOrg: actor.orgId,
        sandboxId: actor.sandboxId,
        sandboxName: actor.sandboxName,
        ...fields,
        schema,
        state: 'ENABLED',
        created: at,
        updated: at,
        createdUser: actor.userId,
        createdClient: actor.clientId,
        updatedUser: actor.userId,
        deletedAt: null,
      };
      try {
        await repository.insertDataset(dataset);
      } catch (error) {
        if (isUniqueViolation(error)) throw taken();
        throw error;
      }
      return dataset;
    },

    get,
    resolve,
    list: (tenant, options) => repository.listDatasets(tenant, options),

    find,
    schemaOf: async (tenant, id) => (await find(tenant, id))?.schema,

    async delete(tenant, id) {
      if (DATASET_ID.test(id) && (await repository.getDataset(tenant, id)))
        await deps.assertUnused?.(tenant, id);
      if (!DATASET_ID.test(id) || !(await repository.softDeleteDataset(tenant, id, now())))
        throw notFound('dataSets', id);
    },

    async listBatches(tenant, datasetId, options) {
      await get(tenant, datasetId);
      return repository.listBatches(tenant, datasetId, options);
    },

    async getBatch(tenant, id) {
      const batch = await repository.getBatch(tenant, id);
      if (!batch) throw notFound('batches', id);
      return batch;
    },

    async preview(tenant, id, limit) {
      const dataset = await get(tenant, id);
      const files = firstFilesFor(await repository.committedFiles(tenant, dataset.id), limit);
      await lake.assertIntact(files);
      return {
        dataset,
        rows: await lake.read(
          files.map((file) => file.path),
          { limit },
        ),
      };
    },

    async query(tenant, sql, limits = {}) {
      const datasets = new Map<string, QueryDataset>();
      for (const reference of datasetReferences(sql)) {
        const dataset = await resolve(tenant, reference);
        const files = await repository.committedFiles(tenant, dataset.id);
        await lake.assertIntact(files);
        datasets.set(reference, { files: files.map((file) => file.path), schema: dataset.schema });
      }
      return lake.query(sql, datasets, {
        maxRows: Math.min(limits.maxRows ?? deps.query.maxRows, deps.query.maxRows),
        timeoutMs: Math.min(limits.timeoutMs ?? deps.query.timeoutMs, deps.query.timeoutMs),
      });
    },

    async beginBatch(tenant, datasetId, options = {}) {
      const dataset = await get(tenant, datasetId);
      const at = now();
      const batch: Batch = {
        id: newBatchId(at, randomBytes),
        datasetId: dataset.id,
        imsOrg: tenant.orgId,
        sandboxId: tenant.sandboxId,
        status: 'loading',
        records: 0,
        bytes: 0,
        files: [],
        created: at,
        started: at,
        completed: null,
        updated: at,
        errors: [],
        flowId: options.flowId ?? null,
        runId: options.runId ?? null,
      };
      // The row exists before any file, so every lake dir has a batch row that GC can judge.
      await repository.insertBatch(batch);
      const writer = await lake.createBatchWriter(dataset.id, batch.id, dataset.schema, options.writer);
      return { batch, writer };
    },

    async commitBatch(batchId, result, trx) {
      const committed = await repository.commitBatch(
        batchId,
        { files: result.files, records: result.records, bytes: result.bytes, completed: now() },
        trx,
      );
      if (!committed) throw new Error(`batch ${batchId} is not loading; it cannot be committed`);
    },

    async failBatch(writer, status, error) {
      await writer.abort();
      if (await repository.endBatch(writer.batchId, status, error === undefined ? [] : [error], now()))
        await lake.removeBatch(writer.datasetId, writer.batchId);
    },

    writeBatchFile: (datasetId, batchId, name, content) =>
      lake.writeSideFile(datasetId, batchId, name, content),

    async abandonRunBatches(runId) {
      const ended = await repository.abandonRunBatches(
        runId,
        [
          {
            code: 'CONNECTOR-1001-500',
            message: `The worker writing this batch stopped (it crashed or lost its claim); run ${runId} was taken over and writes a new batch.`,
          },
        ],
        now(),
      );
      for (const { datasetId, batchId } of ended) await lake.removeBatch(datasetId, batchId);
      return ended.length;
    },

    verifyLake: () => verifyLake(repository, lake),

    async damageOf(tenant, batchId) {
      const batch = await repository.getBatch(tenant, batchId);
      if (!batch) throw notFound('batches', batchId);
      return { batch, files: await damagedFiles(lake, batch) };
    },

    retireBatch: (batchId, replacement, trx) => repository.retireBatch(batchId, replacement, now(), trx),

    removeRetired: (datasetId, batchId) => lake.removeBatch(datasetId, batchId),

    async collectGarbage() {
      // Keep committed batches of live datasets, and loading batches of active runs: another process (a
      // runner sharing this store and lake) may be writing them. A crashed attempt's batches become aborted
      // when its run is taken over, and are collected then.
      const committed = await repository.committedBatchKeys();
      const loading = await repository.loadingBatchIds();
      return lake.garbageCollect(
        (datasetId, batchId) =>
          loading.has(batchId) || (datasetId !== undefined && committed.has(`${datasetId}/${batchId}`)),
      );
    },
  };
}
