/**
 * Flow runs against failing sources: a source that goes away mid-read (retries, then a clear
 * CONNECTOR-1001-500 failure that commits nothing, then a clean next run), throttling and a stopped
 * cluster (the run slows down and still lands everything), and rows that cannot be converted
 * (partialIngestionPercent decides between a success that reports them and a failure that lands none).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultFixture,
  startDatabricksEmulator,
  type DatabricksEmulator,
} from '../emulators/databricks/index.ts';
import {
  aggregate,
  atsConnection,
  createFlow,
  databricksConnection,
  runView,
  tenantOf,
} from './support/flows.ts';
import { startPrivateAzurite, type PrivateAzurite } from './support/private-azurite.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const LAG_MS = 200;
const ENTITIES = 5000;
const BASE = Date.parse('2026-01-01T00:00:00Z');

let emulator: DatabricksEmulator;
let azurite: PrivateAzurite;
let t: TestSluice;

const dbxTable = (
  name: string,
  count: number,
  select: string,
  second = { name: 'name', type: 'STRING' },
) => ({
  name,
  columns: [{ name: 'id', type: 'BIGINT' }, second, { name: 'updated', type: 'TIMESTAMP' }],
  generate: { count, select },
});

beforeAll(async () => {
  emulator = await startDatabricksEmulator({
    fixture: {
      ...defaultFixture,
      clusters: [
        ...defaultFixture.clusters,
        { id: 'c-stoppable', name: 'Stoppable', state: 'RUNNING', kind: 'interactive', startDelayMs: 700 },
      ],
      catalogs: [
        {
          name: 'hive_metastore',
          databases: [
            {
              name: 'shop',
              tables: [
                dbxTable('events', 5000, "i::BIGINT, 'n' || i, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND"),
                dbxTable('parked', 3000, "i::BIGINT, 'n' || i, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND"),
                // Every 50th quantity is not a number: 2% of the rows cannot land in an integer field.
                dbxTable(
                  'quantities',
                  1000,
                  "i::BIGINT, CASE WHEN i % 50 = 7 THEN 'n/a' ELSE CAST(i % 97 AS VARCHAR) END, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND",
                  { name: 'qty', type: 'STRING' },
                ),
              ],
            },
          ],
        },
      ],
    },
  });
  azurite = await startPrivateAzurite();
  t = await startTestSluice({
    env: {
      SLUICE_EXTRA_CA_CERTS: emulator.caFile,
      SLUICE_RUN_SAFETY_LAG_MS: String(LAG_MS),
      SLUICE_RUN_READ_BATCH_SIZE: '50',
      SLUICE_RUN_HEARTBEAT_MS: '50',
      SLUICE_RUN_LEASE_MS: '2000',
      SLUICE_RUN_RETRY_ATTEMPTS: '3',
      SLUICE_RUN_RETRY_SPAN_MS: '300',
    },
  });
});

afterAll(async () => {
  await t.close();
  await azurite.stop();
  await emulator.stop();
});

/** Runs one claimed run in this process; resolves when it has ended. */
async function runNextWindow(flowId: string, whileRunning?: (runId: string) => Promise<void>) {
  const run = await t.sluice.runs.runNow(tenantOf(t), flowId);
  const pass = t.sluice.worker.runOnce();
  try {
    await whileRunning?.(run.id);
  } finally {
    await pass;
  }
  return runView(t, run.id);
}

/** Resolves once the run has read at least `rows` rows (its heartbeat publishes progress). */
async function readAtLeast(runId: string, rows: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const run = await t.sluice.runs.load(tenantOf(t), runId);
    if (run.state !== 'scheduled' && run.state !== 'inProgress')
      throw new Error(`run ended (${run.state}) before it read ${rows} rows`);
    if ((run.progress?.rowsRead ?? 0) >= rows) return;
    if (Date.now() > deadline) throw new Error(`run did not read ${rows} rows within 20 s`);
    await sleep(10);
  }
}

const committedBatches = async (dataSetId: string) =>
  (await t.sluice.datasets.listBatches(tenantOf(t), dataSetId, { start: 0, limit: 100 })).filter(
    (batch) => batch.status === 'success',
  );

const cursorOf = async (flowId: string) =>
  t.sluice.store.db.selectFrom('flow_cursors').selectAll().where('flow_id', '=', flowId).executeTakeFirst();

describe('a source that goes away mid-run', () => {
  const table = 'orders';
  async function seed(): Promise<void> {
    const client = TableClient.fromConnectionString(azurite.connectionString, table, {
      allowInsecureConnection: true,
    });
    await client.createTable();
    for (let partition = 0; partition < ENTITIES / 100; partition += 1) {
      const actions: TransactionAction[] = Array.from({ length: 100 }, (_v, index) => {
        const id = partition * 100 + index;
        return [
          'create',
          {
            partitionKey: `p${partition}`,
            rowKey: String(id).padStart(6, '0'),
            id: { value: String(id), type: 'Int64' },
            name: `n${id}`,
            updated: new Date(BASE + id * 1000),
          },
        ];
      });
      await client.submitTransaction(actions);
    }
  }

  it('retries, fails with CONNECTOR-1001-500 committing nothing, and the next run lands everything once', async () => {
    await seed();
    const { flowId, dataSetId } = await createFlow(t, {
      connection: atsConnection(azurite.connectionString),
      table,
      columns: ['id', 'name', 'updated'],
      deltaColumn: 'updated',
    });
    await sleep(LAG_MS + 20);
    const failed = await runNextWindow(flowId, async (runId) => {
      await readAtLeast(runId, 500);
      await azurite.stop();
    });
    expect(failed.metrics.statusSummary.status).toBe('failed');
    const [error] = failed.metrics.statusSummary.errors as { code: string; message: string }[];
    expect(error?.code).toBe('CONNECTOR-1001-500');
    expect(error?.message).toMatch(
      /Copying from the source failed after 3 attempts: .*orders.*connection was refused/,
    );
    expect(error?.message).not.toContain('AccountKey');
    // Every attempt wrote into a batch of its own; each was aborted, none committed.
    const batches = await t.sluice.datasets.listBatches(tenantOf(t), dataSetId, { start: 0, limit: 100 });
    expect(batches.map((batch) => batch.status)).toEqual(['aborted', 'aborted', 'aborted']);
    expect(await cursorOf(flowId)).toBeUndefined();
    expect(await aggregate(t, `SELECT count(*) FROM dataset('${dataSetId}')`)).toEqual([0]);

    await azurite.start();
    await seed();
    await sleep(LAG_MS + 20);
    const next = await runNextWindow(flowId);
    expect(next.metrics.statusSummary.status, JSON.stringify(next.metrics.statusSummary)).toBe('success');
    const [count, distinct, minId, maxId, badNames] = await aggregate(
      t,
      `SELECT count(*), count(DISTINCT id), min(id), max(id), count(*) FILTER (WHERE name <> 'n' || id) FROM dataset('${dataSetId}')`,
    );
    expect({ count, distinct, minId, maxId, badNames }).toEqual({
      count: ENTITIES,
      distinct: ENTITIES,
      minId: 0,
      maxId: ENTITIES - 1,
      badNames: 0,
    });
    expect(await committedBatches(dataSetId)).toHaveLength(1);
    expect((await cursorOf(flowId))?.last_run_id).toBe(next.id);
  });
});

describe('throttling and a stopped cluster', () => {
  it('slows a run down on HTTP 429 and 503 but lands everything exactly', async () => {
    const { flowId, dataSetId } = await createFlow(t, {
      connection: databricksConnection(emulator),
      table: 'shop.events',
      columns: ['id', 'name', 'updated'],
      deltaColumn: 'updated',
    });
    await sleep(LAG_MS + 20);
    const run = await runNextWindow(flowId, async (runId) => {
      await readAtLeast(runId, 100);
      emulator.injectFault({ target: 'sql', status: 429, times: 2, retryAfterSeconds: 1 });
      emulator.injectFault({ target: 'sql', status: 503, times: 1, retryAfterSeconds: 1 });
    });
    expect(run.metrics.statusSummary.status, JSON.stringify(run.metrics.statusSummary)).toBe('success');
    const [count, distinct, badNames] = await aggregate(
      t,
      `SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE name <> 'n' || id) FROM dataset('${dataSetId}')`,
    );
    expect({ count, distinct, badNames }).toEqual({ count: 5000, distinct: 5000, badNames: 0 });
    // The throttled reads were started over in fresh batches (aborted); throttling used up no attempts.
    const batches = await t.sluice.datasets.listBatches(tenantOf(t), dataSetId, { start: 0, limit: 100 });
    expect(batches.filter((batch) => batch.status === 'success')).toHaveLength(1);
    expect(batches.filter((batch) => batch.status === 'aborted').length).toBeGreaterThanOrEqual(1);
  });

  it('starts a terminated cluster and waits for it', async () => {
    const { flowId, dataSetId } = await createFlow(t, {
      connection: databricksConnection(emulator, 'c-stoppable'),
      table: 'shop.parked',
      columns: ['id', 'name', 'updated'],
      deltaColumn: 'updated',
    });
    emulator.setClusterState('c-stoppable', 'TERMINATED');
    await sleep(LAG_MS + 20);
    const run = await runNextWindow(flowId);
    expect(run.metrics.statusSummary.status, JSON.stringify(run.metrics.statusSummary)).toBe('success');
    expect(await aggregate(t, `SELECT count(*), count(DISTINCT id) FROM dataset('${dataSetId}')`)).toEqual([
      3000, 3000,
    ]);
  });
});

describe('rows that cannot be converted', () => {
  const setup = (percent: number) =>
    createFlow(t, {
      connection: databricksConnection(emulator),
      table: 'shop.quantities',
      columns: ['id', 'qty', 'updated'],
      deltaColumn: 'updated',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'qty', type: 'integer' },
        { name: 'updated', type: 'date-time' },
      ],
      mappings: [
        { source: 'id', destination: 'id' },
        { source: 'qty', destination: 'qty' },
        { source: 'updated', destination: 'updated' },
      ],
      options: { partialIngestionPercent: percent, errorDiagnosticsEnabled: true },
    });

  it('within partialIngestionPercent: the good rows land and a row-errors file lists the bad ones', async () => {
    const { flowId, dataSetId } = await setup(5);
    await sleep(LAG_MS + 20);
    const run = await runNextWindow(flowId);
    expect(run.metrics.statusSummary.status, JSON.stringify(run.metrics.statusSummary)).toBe('success');
    expect(run.metrics.recordSummary).toMatchObject({
      inputRecordCount: 1000,
      outputRecordCount: 980,
      failedRecordCount: 20,
    });
    const promotion = run.activities.find((activity: { id: string }) => activity.id === 'promotionActivity');
    expect(promotion.recordSummary.failedRecordCount).toBe(20);
    const file = promotion.statusSummary.extensions.manifest.failedRecords as string;
    const path = join(t.sluice.config.lake.dir, file);
    expect(existsSync(path), path).toBe(true);
    const errors = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { row: string; column: string; reason: string });
    expect(errors).toHaveLength(20);
    for (const error of errors) {
      expect(error.column).toBe('qty');
      expect(error.row).not.toBe('');
      expect(error.reason).toMatch(/n\/a|number|integer/i);
    }
    const [count, badIds, minQty, maxQty] = await aggregate(
      t,
      `SELECT count(*), count(*) FILTER (WHERE id % 50 = 7), min(qty), max(qty) FROM dataset('${dataSetId}')`,
    );
    expect({ count, badIds, minQty, maxQty }).toEqual({ count: 980, badIds: 0, minQty: 0, maxQty: 96 });
  });

  it('above partialIngestionPercent: the run fails with CONNECTOR-2001-500 and commits nothing', async () => {
    const { flowId, dataSetId } = await setup(1);
    await sleep(LAG_MS + 20);
    const run = await runNextWindow(flowId);
    expect(run.metrics.statusSummary.status).toBe('failed');
    const [error] = run.metrics.statusSummary.errors as { code: string; message: string }[];
    expect(error?.code).toBe('CONNECTOR-2001-500');
    expect(error?.message).toMatch(/20 of 1000 rows \(2\.00%\) could not be converted, above the allowed 1%/);
    expect(error?.message).toMatch(/column qty/);
    expect(await committedBatches(dataSetId)).toEqual([]);
    expect(await cursorOf(flowId)).toBeUndefined();
    expect(await aggregate(t, `SELECT count(*) FROM dataset('${dataSetId}')`)).toEqual([0]);
  });
});
