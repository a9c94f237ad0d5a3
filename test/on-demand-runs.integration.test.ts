/**
 * On-demand runs never race the scheduler (issue 12 §2): a `once` flow created with a past start gets
 * its scheduled whole-table run from the scheduler at about the moment a client sends `POST /runs`; the
 * on-demand run is then queued behind it (201, `queued`) instead of refused, and starts when it ends.
 * A second window that overlaps a pending on-demand run is refused with its own code.
 */
import { TableClient } from '@azure/data-tables';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azuriteConnectionString, uniqueTableName } from './support/azurite.ts';
import { api, atsConnection, runsOf } from './support/flows.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const ATS = 'ecde33f2-c56f-46cc-bdea-ad151c16cd69';
const table = uniqueTableName('ondemand');
const FLOWS = 50;
let t: TestSluice;
let sourceConnectionId: string;
let targetConnectionId: string;

beforeAll(async () => {
  t = await startTestSluice({ env: { SLUICE_RUNNER_POLL_MS: '20', SLUICE_RUN_SAFETY_LAG_MS: '0' } });
  const client = TableClient.fromConnectionString(azuriteConnectionString(), table, {
    allowInsecureConnection: true,
  });
  await client.createTable();
  for (let id = 1; id <= 5; id += 1)
    await client.createEntity({
      partitionKey: 'p',
      rowKey: String(id),
      id: { value: String(id), type: 'Int64' },
      updated: new Date(Date.parse('2026-01-01T00:00:00Z') + id * 60_000),
    });
  const { id: connectionId } = await api(t, 'POST', '/connections', atsConnection(azuriteConnectionString()));
  const explored = await api(
    t,
    'GET',
    `/connections/${connectionId}/explore?objectType=table&object=${table}`,
  );
  const columns = (explored.schema.columns as { name: string }[]).filter((c) =>
    ['id', 'updated'].includes(c.name),
  );
  ({ id: sourceConnectionId } = await api(t, 'POST', '/sourceConnections', {
    name: 'on demand source',
    baseConnectionId: connectionId,
    data: { format: 'tabular' },
    params: { tableName: table, columns },
    connectionSpec: { id: ATS, version: '1.0' },
  }));
  const dataset = await api(t, 'POST', '/data/foundation/catalog/dataSets', {
    name: 'on-demand landing',
    schema: { fields: columns },
  });
  ({ id: targetConnectionId } = await api(t, 'POST', '/targetConnections', {
    name: 'on demand target',
    data: { format: 'parquet_xdm' },
    params: { dataSetId: String(dataset[0]).replace('@/dataSets/', '') },
    connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' },
  }));
  t.sluice.worker.start();
});

afterAll(async () => {
  await t.close();
});

const onceFlow = async (name: string): Promise<string> => {
  const { id } = await api(t, 'POST', '/flows', {
    name,
    flowSpec: { id: '14518937-270c-4525-bdec-c2ba7cce3860', version: '1.0' },
    sourceConnectionIds: [sourceConnectionId],
    targetConnectionIds: [targetConnectionId],
    transformations: [],
    // In the past: the scheduler creates the flow's whole-table run at its next tick.
    scheduleParams: { startTime: String(Math.floor(Date.now() / 1000) - 60), frequency: 'once' },
  });
  return id as string;
};

const window = { windowStartTime: '1767225600', windowEndTime: '1767232800' }; // 2026-01-01 00:00–02:00 UTC

describe('POST /runs on a once flow the scheduler is starting', () => {
  const post = async (flowId: string): Promise<string> => {
    const response = await t.request('POST', '/runs', {
      body: { flowId, params: { ...window, deltaColumn: { name: 'updated' } } },
    });
    expect(response.statusCode, response.body).toBe(201);
    return (JSON.parse(response.body) as { state: string }).state;
  };

  const allEnd = async (flowIds: readonly string[]) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const runs = (await Promise.all(flowIds.map((flowId) => runsOf(t, flowId)))).flat();
      const pending = runs.filter((run) => !['success', 'failed', 'cancelled'].includes(run.state));
      if (pending.length === 0) {
        expect(runs.filter((run) => run.kind === 'onDemand')).toHaveLength(flowIds.length);
        expect(runs.map((run) => run.state).filter((state) => state !== 'success')).toEqual([]);
        return;
      }
      if (Date.now() > deadline) throw new Error(`${String(pending.length)} runs did not end`);
      await sleep(100);
    }
  };

  it('queues the on-demand run behind the scheduled one when the scheduler came first', async () => {
    await t.sluice.worker.stop();
    const flowIds: string[] = [];
    try {
      for (let index = 0; index < 10; index += 1) {
        const flowId = await onceFlow(`ordered ${String(index)}`);
        flowIds.push(flowId);
        // Half the time the scheduler creates the flow's whole-table run first, half the time the client.
        if (index % 2 === 0) expect(await t.sluice.worker.tick()).toBe(1);
        expect(await post(flowId)).toBe(index % 2 === 0 ? 'queued' : 'scheduled');
      }
    } finally {
      t.sluice.worker.start();
    }
    await allEnd(flowIds);
  });

  it(`never refuses it while the scheduler runs — ${String(FLOWS)} times in a row`, async () => {
    const flowIds: string[] = [];
    for (let index = 0; index < FLOWS; index += 1) {
      const flowId = await onceFlow(`racing ${String(index)}`);
      flowIds.push(flowId);
      expect(['scheduled', 'queued']).toContain(await post(flowId));
    }
    await allEnd(flowIds);
  }, 120_000);

  it('refuses an undeclared param (a misspelt one) with CONNECTOR-1318-400, creating no run', async () => {
    const flowId = await onceFlow('misspelt param');
    const response = await t.request('POST', '/runs', {
      body: { flowId, params: { ...window, deltaColum: { name: 'updated' }, '<b>': 1 } },
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ type: expect.stringContaining('CONNECTOR-1318-400') });
    expect(response.body).toContain("'params.deltaColum'");
    expect(response.body).not.toContain('<b>');
    const runs = await t.request('GET', `/runs?property=flowId==${flowId}&property=kind==onDemand`);
    expect(runs.json()).toMatchObject({ items: [] });
  });

  it('refuses a window that overlaps a pending on-demand run with FLOW-1391-409', async () => {
    await t.sluice.worker.stop();
    try {
      const flowId = await onceFlow('double submit');
      const first = await t.request('POST', '/runs', {
        body: { flowId, params: { ...window, deltaColumn: { name: 'updated' } } },
      });
      expect(first.statusCode, first.body).toBe(201);
      const again = await t.request('POST', '/runs', {
        body: { flowId, params: { windowStartTime: '1767229200', windowEndTime: '1767236400' } },
      });
      expect(again.statusCode, again.body).toBe(409);
      expect(again.json()).toMatchObject({ type: expect.stringContaining('FLOW-1391-409') });
      // A window after it is queued behind it.
      const later = await t.request('POST', '/runs', {
        body: { flowId, params: { windowStartTime: '1767232800', windowEndTime: '1767236400' } },
      });
      expect(later.statusCode, later.body).toBe(201);
      expect(later.json()).toMatchObject({ state: 'queued' });
    } finally {
      t.sluice.worker.start();
    }
  });
});
