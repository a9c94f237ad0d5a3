/**
 * Lake garbage collection at start never removes what a live runner (possibly another process sharing the
 * store and lake) is writing: loading batches of active runs are kept; those of ended runs, like aborted
 * and failed batches, are removed — and committed batches always stay.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { azuriteConnectionString, uniqueTableName } from './support/azurite.ts';
import { atsConnection, createFlow, tenantOf } from './support/flows.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

let t: TestSluice;
beforeAll(async () => {
  t = await startTestSluice({ env: { SLUICE_RUN_SAFETY_LAG_MS: '0' } });
});
afterAll(async () => {
  await t.close();
});

it('keeps the batches of active runs and removes crash leftovers', async () => {
  const table = uniqueTableName('gc');
  const client = TableClient.fromConnectionString(azuriteConnectionString(), table, {
    allowInsecureConnection: true,
  });
  await client.createTable();
  await client.createEntity({
    partitionKey: 'p',
    rowKey: '1',
    name: 'Ada',
    updated: new Date('2026-01-01T00:00:00Z'),
  });
  const { flowId, dataSetId } = await createFlow(t, {
    connection: atsConnection(azuriteConnectionString()),
    table,
    columns: ['name', 'updated'],
    deltaColumn: 'updated',
  });
  const tenant = tenantOf(t);
  const run = await t.sluice.runs.runNow(tenant, flowId);

  // A batch written for the active run, finished (renamed into place) but not committed yet.
  const { batch, writer } = await t.sluice.datasets.beginBatch(tenant, dataSetId, { flowId, runId: run.id });
  await writer.append([{ name: 'in flight', updated: '2026-01-01T00:00:00.000000Z' }]);
  await writer.finish();
  const dir = join(t.sluice.config.lake.dir, 'datasets', dataSetId, batch.id);
  expect(existsSync(dir)).toBe(true);

  expect((await t.sluice.datasets.collectGarbage()).removed).toEqual([]);
  expect(existsSync(dir)).toBe(true);

  // The run ends without committing (cancelled): its batch is now a leftover.
  await t.sluice.runs.action({ ...tenant, userId: 'u', clientId: 'c' }, run.id, 'cancel');
  const { removed } = await t.sluice.datasets.collectGarbage();
  expect(removed).toEqual([`datasets/${dataSetId}/${batch.id}`]);
  expect(existsSync(dir)).toBe(false);

  // A committed run's batch stays.
  const landed = await t.sluice.runs.runNow(tenant, flowId);
  await t.sluice.worker.runOnce();
  const view = (await t.request('GET', `/runs/${landed.id}`)).json() as {
    items: { state: string; batchId: string }[];
  };
  expect(view.items[0]?.state).toBe('success');
  expect((await t.sluice.datasets.collectGarbage()).removed).toEqual([]);
  expect(existsSync(join(t.sluice.config.lake.dir, 'datasets', dataSetId, view.items[0]!.batchId))).toBe(
    true,
  );
});
