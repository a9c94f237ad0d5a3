import { expect, it } from 'vitest';
import { describeEachStore } from '../../test/support/stores.ts';
import type { Batch, Dataset } from '../domain/dataset.ts';
import type { Tenant } from '../domain/tenancy.ts';
import { isUniqueViolation } from './dialect.ts';
import { migrations } from './migrations/index.ts';
import { createRepositories } from './repositories.ts';
import type { Database } from './schema.ts';

const tenantA: Tenant = { orgId: 'ORG-A@AdobeOrg', sandboxId: 'sb-a', sandboxName: 'prod' };
const tenantB: Tenant = { orgId: 'ORG-A@AdobeOrg', sandboxId: 'sb-b', sandboxName: 'dev' };

const dataset = (tenant: Tenant, id: string, name: string, created: number): Dataset => ({
  id,
  imsOrg: tenant.orgId,
  sandboxId: tenant.sandboxId,
  sandboxName: tenant.sandboxName,
  name,
  schema: { fields: [{ name: 'a', type: 'string' }] },
  tags: {},
  state: 'ENABLED',
  created,
  updated: created,
  createdUser: 'u',
  createdClient: 'c',
  updatedUser: 'u',
  deletedAt: null,
});

const batch = (tenant: Tenant, id: string, datasetId: string): Batch => ({
  id,
  datasetId,
  imsOrg: tenant.orgId,
  sandboxId: tenant.sandboxId,
  status: 'loading',
  records: 0,
  bytes: 0,
  files: [],
  created: 1,
  started: 1,
  completed: null,
  updated: 1,
  errors: [],
  flowId: null,
  runId: 'run-1',
});

const ds1 = 'a'.repeat(24);
const ds2 = 'b'.repeat(24);
const file = (datasetId: string, batchId: string) => ({
  path: `datasets/${datasetId}/${batchId}/part-00000.parquet`,
  records: 3,
  bytes: 100,
});

describeEachStore('dataset repository', (ctx) => {
  it('scopes datasets to tenants, keeps live names unique and soft-deletes', async () => {
    const store = await ctx.open<Database>(migrations);
    const { datasets } = createRepositories(store.db);
    await datasets.insertDataset(dataset(tenantA, ds1, 'orders', 10));
    await datasets.insertDataset(dataset(tenantB, ds2, 'orders', 11));
    const duplicate: unknown = await datasets
      .insertDataset(dataset(tenantA, 'c'.repeat(24), 'orders', 12))
      .catch((e: unknown) => e);
    expect(isUniqueViolation(duplicate)).toBe(true);

    expect(await datasets.getDataset(tenantB, ds1)).toBeUndefined();
    expect((await datasets.findDatasetByName(tenantA, 'orders'))?.id).toBe(ds1);
    await datasets.insertDataset(dataset(tenantA, 'd'.repeat(24), 'zeta', 5));
    const list = await datasets.listDatasets(tenantA, {
      orderBy: { field: 'created', direction: 'asc' },
      start: 0,
      limit: 10,
    });
    expect(list.map((d) => d.name)).toEqual(['zeta', 'orders']);
    const page = await datasets.listDatasets(tenantA, {
      orderBy: { field: 'name', direction: 'desc' },
      start: 1,
      limit: 1,
    });
    expect(page.map((d) => d.name)).toEqual(['orders']);

    expect(await datasets.softDeleteDataset(tenantB, ds1, 20)).toBe(false);
    expect(await datasets.softDeleteDataset(tenantA, ds1, 20)).toBe(true);
    expect(await datasets.softDeleteDataset(tenantA, ds1, 21)).toBe(false);
    expect(await datasets.getDataset(tenantA, ds1)).toBeUndefined();
    // The name is free again once the holder is deleted.
    await datasets.insertDataset(dataset(tenantA, 'e'.repeat(24), 'orders', 30));
    expect((await datasets.findDatasetByName(tenantA, 'orders'))?.id).toBe('e'.repeat(24));
  });

  it('commits a loading batch once, in the caller transaction, and exposes only success files', async () => {
    const store = await ctx.open<Database>(migrations);
    const { datasets } = createRepositories(store.db);
    await datasets.insertDataset(dataset(tenantA, ds1, 'orders', 10));
    const b1 = '01J00000000000000000000001';
    const b2 = '01J00000000000000000000002';
    const b3 = '01J00000000000000000000003';
    for (const id of [b1, b2, b3]) await datasets.insertBatch(batch(tenantA, id, ds1));

    const commit = { files: [file(ds1, b1)], records: 3, bytes: 100, completed: 50 };
    expect(await datasets.commitBatch(b1, commit)).toBe(true);
    expect(await datasets.commitBatch(b1, commit)).toBe(false);

    // A transaction that fails after commitBatch leaves the batch loading (the runner's cursor rides along).
    await expect(
      datasets.transaction(async (trx) => {
        expect(await datasets.commitBatch(b2, { ...commit, files: [file(ds1, b2)] }, trx)).toBe(true);
        throw new Error('cursor update failed');
      }),
    ).rejects.toThrow('cursor update failed');
    expect((await datasets.getBatch(tenantA, b2))?.status).toBe('loading');

    expect(await datasets.endBatch(b3, 'failed', [{ code: 'X', message: 'boom' }], 60)).toBe(true);
    expect(await datasets.endBatch(b3, 'aborted', [], 61)).toBe(false);

    expect(await datasets.committedFiles(tenantA, ds1)).toEqual([file(ds1, b1)]);
    expect(await datasets.committedFiles(tenantB, ds1)).toEqual([]);
    expect(await datasets.committedBatchKeys()).toEqual(new Set([`${ds1}/${b1}`]));
    expect(await datasets.getBatch(tenantA, b1)).toMatchObject({
      status: 'success',
      records: 3,
      bytes: 100,
      completed: 50,
      runId: 'run-1',
    });
    expect(await datasets.getBatch(tenantB, b1)).toBeUndefined();
    expect((await datasets.listBatches(tenantA, ds1, { start: 0, limit: 10 })).map((b) => b.id)).toEqual([
      b3,
      b2,
      b1,
    ]);

    await datasets.softDeleteDataset(tenantA, ds1, 70);
    expect(await datasets.getBatch(tenantA, b1)).toBeUndefined();
    expect(await datasets.committedBatchKeys()).toEqual(new Set());
  });
});
