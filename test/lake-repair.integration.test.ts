/**
 * A damaged batch re-landed from its source (issue 10.6): a flow over Azure Table Storage (Azurite) lands
 * two windows; one 4 KiB overwrite inside the first window's Parquet file makes queries answer
 * LAKE-1101-500; `sluice lake verify --repair-from-source` (or RE_TRIGGER of the run over the API) queues a
 * repair run that re-reads the first window and, in its commit, retires the damaged batch. Afterwards the
 * query's count and sum are exactly the source's, the old batch is `inactive` and its files are gone, and
 * the flow's next window starts where it stood (the repair never moved the cursor).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../src/cli/main.ts';
import type { Tenant } from '../src/domain/tenancy.ts';
import { azuriteConnectionString, uniqueTableName } from './support/azurite.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const ATS = 'ecde33f2-c56f-46cc-bdea-ad151c16cd69';
const LAG_MS = 500;

let t: TestSluice;
let tenant: Tenant;
beforeAll(async () => {
  t = await startTestSluice({ env: { SLUICE_RUN_SAFETY_LAG_MS: String(LAG_MS) } });
  tenant = { orgId: t.credentials.org.id, sandboxId: t.credentials.sandbox.id, sandboxName: 'prod' };
});
afterAll(async () => {
  await t.close();
});

const json = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
  const response = await t.request(method, path, body === undefined ? {} : { body });
  expect(response.statusCode, `${method} ${path}: ${response.body}`).toBeLessThan(300);
  return JSON.parse(response.body) as any;
};

interface Source {
  readonly flowId: string;
  readonly dataSetId: string;
  /** Adds rows `from..to` (inclusive) with amount = id cents, stamped now. */
  add(from: number, to: number): Promise<void>;
}

/** A table of its own in Azurite with an hourly flow over it (driven by runNow, not the clock). */
async function newSource(): Promise<Source> {
  const table = uniqueTableName('repair');
  const client = TableClient.fromConnectionString(azuriteConnectionString(), table, {
    allowInsecureConnection: true,
  });
  await client.createTable();
  const add = async (from: number, to: number): Promise<void> => {
    const byPartition = new Map<string, TransactionAction[]>();
    for (let id = from; id <= to; id += 1) {
      const partitionKey = `p${id % 4}`;
      const actions = byPartition.get(partitionKey) ?? [];
      actions.push([
        'create',
        {
          partitionKey,
          rowKey: String(id).padStart(8, '0'),
          id: { value: String(id), type: 'Int64' },
          amount: { value: String(id), type: 'Int64' },
          label: `row ${id} ${randomBytes(12).toString('hex')}`,
          updated: new Date(),
        },
      ]);
      byPartition.set(partitionKey, actions);
    }
    for (const actions of byPartition.values()) {
      for (let index = 0; index < actions.length; index += 100)
        await client.submitTransaction(actions.slice(index, index + 100));
    }
  };
  await add(0, 0); // explore infers the schema from it; row 0 adds nothing to the sum
  const { id: connectionId } = await json('POST', '/connections', {
    name: 'ATS',
    auth: {
      specName: 'Connection String Based Authentication',
      params: { connectionString: azuriteConnectionString() },
    },
    connectionSpec: { id: ATS, version: '1.0' },
  });
  const explored = await json('GET', `/connections/${connectionId}/explore?objectType=table&object=${table}`);
  const columns = (explored.schema.columns as { name: string }[]).filter((column) =>
    ['id', 'amount', 'label', 'updated'].includes(column.name),
  );
  const { id: sourceConnectionId } = await json('POST', '/sourceConnections', {
    name: table,
    baseConnectionId: connectionId,
    data: { format: 'tabular' },
    params: { tableName: table, columns },
    connectionSpec: { id: ATS, version: '1.0' },
  });
  const dataset = await json('POST', '/data/foundation/catalog/dataSets', {
    name: table,
    schema: {
      fields: [
        { name: 'id', type: 'long' },
        { name: 'amount', type: 'long' },
        { name: 'label', type: 'string' },
        { name: 'updated', type: 'string', 'meta:xdmType': 'date-time' },
      ],
    },
  });
  const dataSetId = String(dataset[0]).replace('@/dataSets/', '');
  const { id: targetConnectionId } = await json('POST', '/targetConnections', {
    name: table,
    data: { format: 'parquet_xdm' },
    params: { dataSetId },
    connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' },
  });
  const { id: flowId } = await json('POST', '/flows', {
    name: `${table} repair`,
    flowSpec: { id: '14518937-270c-4525-bdec-c2ba7cce3860', version: '1.0' },
    sourceConnectionIds: [sourceConnectionId],
    targetConnectionIds: [targetConnectionId],
    transformations: [{ name: 'Copy', params: { deltaColumn: { name: 'updated' } } }],
    scheduleParams: {
      startTime: String(Math.floor(Date.now() / 1000) + 86_400),
      frequency: 'hour',
      interval: '1',
      backfill: 'true',
    },
  });
  return { flowId, dataSetId, add };
}

/** The next window of the flow, run to its end by this process's worker. */
async function runNextWindow(flowId: string) {
  await new Promise((resolve) => setTimeout(resolve, LAG_MS + 50));
  const run = await t.sluice.runs.runNow(tenant, flowId);
  await t.sluice.worker.runOnce();
  return (await json('GET', `/runs/${run.id}`)).items[0];
}

const totals = async (dataSetId: string) => {
  const result = await t.sluice.datasets.query(
    tenant,
    `SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(amount) AS total FROM dataset('${dataSetId}')`,
  );
  const [n, ids, total] = result.rows[0] ?? [];
  return { n: Number(n), ids: Number(ids), total: Number(total) };
};

/** The exact totals of rows 0..last: one row per id, amounts summing to 1 + … + last. */
const exact = (last: number) => ({ n: last + 1, ids: last + 1, total: (last * (last + 1)) / 2 });

/** Two windows landed (rows 0..1500, then 1501..2000), the first window's file damaged in place. */
async function damagedFlow() {
  const source = await newSource();
  await source.add(1, 1500);
  const first = await runNextWindow(source.flowId);
  expect(first.metrics.statusSummary.status, JSON.stringify(first.metrics.statusSummary)).toBe('success');
  await source.add(1501, 2000);
  const second = await runNextWindow(source.flowId);
  expect(second.metrics.statusSummary.status).toBe('success');
  expect(await totals(source.dataSetId)).toEqual(exact(2000));

  const batchId = first.activities[1].targetInfo[0].reference.ids[0] as string;
  const batch = await t.sluice.datasets.getBatch(tenant, batchId);
  const path = join(t.sluice.lake.dir, batch.files[0]?.path ?? '');
  const fd = openSync(path, 'r+');
  writeSync(fd, randomBytes(4096), 0, 4096, Math.floor(statSync(path).size / 2) - 2048);
  closeSync(fd);
  return { source, first, second, batchId, path };
}

/** The catalogued code and message of a problem-JSON answer. */
const problem = (body: string) => {
  const parsed = JSON.parse(body) as { type: string; errorMessage: string };
  return { code: parsed.type.split('/').at(-1), message: parsed.errorMessage };
};

const cli = async (args: string[]) => {
  const out: string[] = [];
  const code = await runCommand(t.sluice, args, { out: (l) => out.push(l), err: (l) => out.push(l) });
  return { code, text: out.join('\n') };
};

describe('re-landing a damaged batch from its source', () => {
  it('sluice lake verify --repair-from-source re-lands it exactly once, and the flow goes on from where it stood', async () => {
    const { source, first, batchId, path } = await damagedFlow();
    const refused = await t.request('POST', '/data/foundation/query/queries', {
      body: { sql: `SELECT sum(amount) FROM dataset('${source.dataSetId}')` },
    });
    expect(refused.statusCode, refused.body).toBe(500);
    expect(problem(refused.body).code).toBe('LAKE-1101-500');

    const found = await cli(['lake', 'verify']);
    expect(found.code).toBe(1);
    expect(found.text).toContain(batchId);
    expect(found.text).toContain('--repair-from-source');

    const repaired = await cli(['lake', 'verify', '--repair-from-source']);
    expect(repaired.code, repaired.text).toBe(0);
    const repairRunId = /repair run (\S+)/.exec(repaired.text)?.[1] ?? '';
    expect(repairRunId).toMatch(/^[0-9a-f-]{36}$/);
    await t.sluice.worker.runOnce();

    const repair = (await json('GET', `/runs/${repairRunId}`)).items[0];
    expect(repair.metrics.statusSummary.status, JSON.stringify(repair.metrics.statusSummary)).toBe('success');
    expect(repair).toMatchObject({ retriggerOf: first.id, replacesBatchId: batchId, kind: 'retrigger' });
    expect(repair.metrics.recordSummary.outputRecordCount).toBe(
      first.metrics.recordSummary.outputRecordCount,
    );
    expect(await totals(source.dataSetId)).toEqual(exact(2000));

    const old = await json('GET', `/data/foundation/catalog/batches/${batchId}`);
    expect(old[batchId].status).toBe('inactive');
    expect(existsSync(path)).toBe(false);
    expect((await cli(['lake', 'verify'])).code).toBe(0);

    // The cursor did not move: the next window lands only the rows added since, once.
    await source.add(2001, 2100);
    const next = await runNextWindow(source.flowId);
    expect(next.metrics.recordSummary.outputRecordCount).toBe(100);
    expect(await totals(source.dataSetId)).toEqual(exact(2100));
  });

  it('RE_TRIGGER over the API repairs a damaged batch once, and refuses an intact or replaced one', async () => {
    const { source, first, second, batchId } = await damagedFlow();
    const intact = await t.request('POST', `/runs/${second.id}/action?op=RE_TRIGGER`);
    expect(intact.statusCode).toBe(400);
    expect(problem(intact.body)).toMatchObject({
      code: 'FLOW-1387-400',
      message: expect.stringContaining('intact'),
    });

    const created = (await json('POST', `/runs/${first.id}/action?op=RE_TRIGGER`)).items[0];
    expect(created.replacesBatchId).toBe(batchId);
    // A second repair of the same window while the first is pending would land the rows twice: refused.
    const twice = await t.request('POST', `/runs/${first.id}/action?op=RE_TRIGGER`);
    expect(twice.statusCode, twice.body).toBe(409);
    expect(problem(twice.body).code).toBe('FLOW-1391-409');

    await t.sluice.worker.runOnce();
    expect((await json('GET', `/runs/${created.id}`)).items[0].state).toBe('success');
    expect(await totals(source.dataSetId)).toEqual(exact(2000));

    const again = await t.request('POST', `/runs/${first.id}/action?op=RE_TRIGGER`);
    expect(again.statusCode).toBe(400);
    expect(problem(again.body)).toMatchObject({
      code: 'FLOW-1387-400',
      message: expect.stringContaining('inactive'),
    });
    expect(await totals(source.dataSetId)).toEqual(exact(2000));
  });
});
